import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyModel, initBackend, saveModel } from '@meta-lora/lora-core';
import { describe, expect, it, vi } from 'vitest';
import { parseCommandArgs } from '../command.ts';
import { main } from '../main.ts';
import { DECODING_FALLBACKS, decodingOptions, generateCommand } from './generate.ts';

await initBackend({ quiet: true });

function args(...argv: string[]) {
  const parsed = parseCommandArgs(generateCommand, argv);
  if (parsed === 'help') throw new Error('unexpected --help');
  return parsed;
}

const shipped = { doSample: false, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.3, maxNewTokens: 64 };

describe('meta-lora generate decoding settings', () => {
  it('fall back to the built-in defaults without a generation_config.json', () => {
    expect(decodingOptions(args(), null)).toEqual({
      maxNewTokens: DECODING_FALLBACKS.maxNewTokens,
      greedy: false,
      temperature: 0.8,
      topP: 0.95,
      repetitionPenalty: 1,
    });
  });

  it("come from the model's generation_config.json when it sets them", () => {
    expect(decodingOptions(args(), shipped)).toEqual({
      maxNewTokens: 64,
      greedy: true,
      temperature: 0.7,
      topP: 0.9,
      repetitionPenalty: 1.3,
    });
    expect(decodingOptions(args(), { repetitionPenalty: 1.2 })).toMatchObject({ greedy: false, temperature: 0.8 });
  });

  it('are overridden by flags, --sample over do_sample false', () => {
    const flags = args('--sample', '--max-new-tokens', '5', '--temperature', '1', '--top-p', '1');
    expect(decodingOptions(flags, shipped)).toEqual({
      maxNewTokens: 5,
      greedy: false,
      temperature: 1,
      topP: 1,
      repetitionPenalty: 1.3,
    });
    expect(decodingOptions(args('--repetition-penalty', '1'), shipped).repetitionPenalty).toBe(1);
    expect(decodingOptions(args('--greedy'), { doSample: true }).greedy).toBe(true);
  });

  it('refuse --greedy with --sample', () => {
    expect(() => decodingOptions(args('--greedy', '--sample'), null)).toThrow(/--greedy and --sample/);
  });

  it("decode with the model directory's penalty: the same ids as the flag would give", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'generate-cli-'));
    const model = createTinyModel(41);
    await saveModel(model, dir);
    model.dispose();
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const run = async (...extra: string[]) => {
      write.mockClear();
      expect(await main(['generate', '--model', dir, '--prompt-ids', '5,6', '--max-new-tokens', '10', ...extra])).toBe(
        0,
      );
      return write.mock.calls.map((c) => String(c[0])).join('');
    };
    const flagged = await run('--greedy', '--repetition-penalty', '1.5');
    const plain = await run('--greedy');
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ do_sample: false, repetition_penalty: 1.5 }));
    expect(await run()).toBe(flagged);
    expect(flagged).not.toBe(plain);
    write.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });
});
