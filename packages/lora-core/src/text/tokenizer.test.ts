import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { expectCode, rejectionOf, tinyTokenizer } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from './tokenizer.ts';

// A tiny GPT-2-style byte-level BPE written by hand: <|endoftext|> (0), <|pad|> (1), the 256 byte tokens, 3 merges.
const { json: tokenizerJson, vocab } = tinyTokenizer('<|endoftext|>', '<|pad|>');
const config = {
  bos_token: '<|endoftext|>',
  eos_token: { content: '<|endoftext|>' },
  pad_token: '<|pad|>',
  clean_up_tokenization_spaces: false,
  chat_template:
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}{{ 'User: ' + m['content'] + '\\n' }}" +
    "{% elif m['role'] == 'assistant' %}{{ 'Assistant: ' + m['content'] + eos_token + '\\n' }}" +
    "{% else %}{{ raise_exception('unknown role ' + m['role']) }}{% endif %}{% endfor %}" +
    "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}",
};

const root = mkdtempSync(join(tmpdir(), 'meta-lora-tokenizer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function modelDir(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const good = {
  'tokenizer.json': JSON.stringify(tokenizerJson),
  'tokenizer_config.json': JSON.stringify(config),
};

const expectRejected = async (promise: Promise<unknown>, code: string, text: string): Promise<void> =>
  expectCode(await rejectionOf(promise, MetaLoraError), code, text);

describe('loadTokenizer', () => {
  it('returns null for a model directory without tokenizer.json', async () => {
    expect(await loadTokenizer(modelDir('none', { 'config.json': '{}' }))).toBeNull();
  });

  it('reads special-token ids from tokenizer_config.json (string and AddedToken forms)', async () => {
    const tok = await loadTokenizer(modelDir('ids', good));
    expect([tok?.bosTokenId, tok?.eosTokenId, tok?.padTokenId, tok?.vocabSize]).toEqual([0, 0, 1, 261]);
  });

  it('round-trips Latin, Cyrillic, Arabic, CJK, Devanagari and emoji text', async () => {
    const tok = (await loadTokenizer(modelDir('trip', good)))!;
    const text = 'the theory\n Привет, мир! مرحبا بالعالم 你好，世界 こんにちは नमस्ते दुनिया 🙂👍🏽 🇫🇷  tabs\tend';
    const ids = tok.encode(text, { addSpecialTokens: false });
    expect(tok.decode(ids)).toBe(text);
  });

  it('applies the merges and prepends BOS by default', async () => {
    const tok = (await loadTokenizer(modelDir('merge', good)))!;
    expect(tok.encode(' the')).toEqual([0, vocab['Ġthe']]);
    expect(tok.encode(' the', { addSpecialTokens: false })).toEqual([vocab['Ġthe']]);
  });

  it('drops special tokens on request', async () => {
    const tok = (await loadTokenizer(modelDir('skip', good)))!;
    const ids = tok.encode('hi<|endoftext|>');
    expect(tok.decode(ids)).toBe('<|endoftext|>hi<|endoftext|>');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('hi');
    expect(tok.decode([])).toBe('');
  });

  it('refuses an id outside the vocabulary', async () => {
    const tok = (await loadTokenizer(modelDir('range', good)))!;
    expect(() => tok.decode([5, 261])).toThrow(/261 at position 1 is outside the vocabulary/);
  });

  it('renders a task prompt as a chat user turn without the leading BOS', async () => {
    const tok = (await loadTokenizer(modelDir('chat-prompt', good)))!;
    expect(tok.chatPrompt('Capital of France?')).toBe('User: Capital of France?\nAssistant:');
  });

  it('renders the chat template', async () => {
    const tok = (await loadTokenizer(modelDir('chat', good)))!;
    const messages = [
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'And Spain?' },
    ];
    expect(tok.applyChatTemplate(messages, { addGenerationPrompt: true })).toBe(
      '<|endoftext|>User: Capital of France?\nAssistant: Paris<|endoftext|>\nUser: And Spain?\nAssistant:',
    );
    expect(tok.applyChatTemplate(messages.slice(0, 1), { addGenerationPrompt: false })).toBe(
      '<|endoftext|>User: Capital of France?\n',
    );
  });

  it('turns raise_exception in a template into DATA_INVALID', async () => {
    const tok = (await loadTokenizer(modelDir('raise', good)))!;
    await expectRejected(
      Promise.resolve().then(() =>
        tok.applyChatTemplate([{ role: 'tool', content: 'x' }], { addGenerationPrompt: false }),
      ),
      'DATA_INVALID',
      'unknown role tool',
    );
  });

  it('says TOKENIZER_INVALID when a chat template is requested but there is none', async () => {
    const dir = modelDir('nochat', { 'tokenizer.json': JSON.stringify(tokenizerJson) });
    const tok = (await loadTokenizer(dir))!;
    expect(tok.hasChatTemplate).toBe(false);
    await expectRejected(
      Promise.resolve().then(() => tok.applyChatTemplate([], { addGenerationPrompt: true })),
      'TOKENIZER_INVALID',
      'no chat template',
    );
  });

  it('names the file when tokenizer.json is corrupt', async () => {
    const dir = modelDir('corrupt', { 'tokenizer.json': '{"model": {"type": "BPE", "vocab": {' });
    await expectRejected(loadTokenizer(dir), 'TOKENIZER_INVALID', join(dir, 'tokenizer.json'));
  });

  it('names the file when tokenizer.json is JSON but not a tokenizer', async () => {
    const dir = modelDir('notok', { 'tokenizer.json': '{"model": {"type": "Nonsense"}}' });
    await expectRejected(loadTokenizer(dir), 'TOKENIZER_INVALID', join(dir, 'tokenizer.json'));
  });

  it('refuses at load a tokenizer.json that constructs but cannot encode (a template post-processor without `single`)', async () => {
    const broken = {
      ...tokenizerJson,
      post_processor: { type: 'TemplateProcessing', single: {}, pair: [], special_tokens: {} },
    };
    const dir = modelDir('nosingle', { 'tokenizer.json': JSON.stringify(broken) });
    await expectRejected(loadTokenizer(dir), 'TOKENIZER_INVALID', join(dir, 'tokenizer.json'));
  });

  it('names tokenizer_config.json when its chat template does not parse', async () => {
    const dir = modelDir('badchat', {
      'tokenizer.json': JSON.stringify(tokenizerJson),
      'tokenizer_config.json': JSON.stringify({ ...config, chat_template: '{% for m in messages %}' }),
    });
    await expectRejected(loadTokenizer(dir), 'TOKENIZER_INVALID', join(dir, 'tokenizer_config.json'));
  });
});
