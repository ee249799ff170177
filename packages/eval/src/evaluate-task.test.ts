import { createTinyModel, generate, initBackend, tf } from '@meta-lora/lora-core';
import { describe, expect, it, vi } from 'vitest';
import { evaluateTask } from './evaluate-task.ts';
import { charCodec } from './test-codec.ts';

await initBackend({ quiet: true });
const model = createTinyModel(7);

/** Total log-likelihood of `choice` then EOS after `prompt` (the trainers' layout), from the full-sequence logits. */
function choiceLogLikelihood(prompt: string, choice: string): number {
  const ctx = charCodec.encode(prompt, { addSpecialTokens: true });
  const cont = [...charCodec.encode(choice, { addSpecialTokens: false }), charCodec.eosTokenId!];
  const seq = [...ctx, ...cont];
  const lp = tf.tidy(() => tf.logSoftmax(model.logits(tf.tensor2d([seq], [1, seq.length], 'int32'))));
  const rows = lp.arraySync()[0]!;
  lp.dispose();
  return cont.reduce((s, y, j) => s + rows[ctx.length - 1 + j]![y]!, 0);
}

describe('evaluateTask: classification', () => {
  const prompts = ['review good film\nsentiment is', 'review bad plot\nsentiment is', 'spam or not\nlabel is'];
  const choices = [' yes', ' no'];
  // Which choice the tiny model prefers for each prompt, computed independently of evaluateTask.
  const preferred = prompts.map((p) =>
    choiceLogLikelihood(p, choices[0]!) >= choiceLogLikelihood(p, choices[1]!) ? choices[0]! : choices[1]!,
  );
  const other = (c: string) => (c === choices[0] ? choices[1]! : choices[0]!);

  it('predicts the choice with the higher total log-likelihood', () => {
    const examples = prompts.map((input) => ({ input, target: ' yes', choices }));
    const m = evaluateTask(model, charCodec, examples, 'classification');
    expect(m.predictions).toEqual(preferred);
  });

  it('scores accuracy and macro-F1 in percent against the gold labels', () => {
    // Gold = preferred for the first two prompts, the other label for the third: accuracy 2/3.
    const examples = prompts.map((input, i) => ({
      input,
      target: i < 2 ? preferred[i]! : other(preferred[i]!),
      choices,
    }));
    const m = evaluateTask(model, charCodec, examples, 'classification');
    expect(m.primaryMetric).toBe('accuracy');
    expect(m.accuracy).toBeCloseTo(200 / 3, 10);
    expect(m.score).toBe(m.accuracy);
    expect(m.macroF1).toBeGreaterThanOrEqual(0);
    expect(m.macroF1).toBeLessThanOrEqual(100);
  });

  it('reports the target loss as the token-weighted NLL of the gold labels', () => {
    const examples = prompts.map((input) => ({ input, target: ' no', choices }));
    const m = evaluateTask(model, charCodec, examples, 'classification');
    const nll = -prompts.reduce((s, p) => s + choiceLogLikelihood(p, ' no'), 0);
    expect(m.targetLoss).toBeCloseTo(nll / (3 * 4), 4); // 3 examples × (' no' + EOS)
  });

  it('refuses a classification example without a label set', () => {
    expect(() => evaluateTask(model, charCodec, [{ input: 'x', target: ' y' }], 'classification')).toThrow(
      /needs at least 2/,
    );
  });
});

describe('evaluateTask: generation', () => {
  const input = 'plural of cat is';
  const greedy = charCodec.decode(
    generate(model, charCodec.encode(input), { maxNewTokens: 6, greedy: true, eosTokenIds: [2] }),
    { skipSpecialTokens: true },
  );
  const firstLine = greedy.split('\n')[0]!;

  it('scores normalised exact match of the greedy continuation', () => {
    // A target equal to the decoded text up to spacing and end punctuation matches; a different one does not.
    expect(firstLine.trim().length).toBeGreaterThan(0);
    const hit = { input, target: ` ${firstLine.trim()}.  ` };
    const miss = { input, target: `${firstLine}zz` };
    const m = evaluateTask(model, charCodec, [hit, miss], 'generation', { maxNewTokens: 6 });
    expect(m.predictions).toEqual([firstLine, firstLine]);
    expect(m.exactMatch).toBe(50);
    expect(m.primaryMetric).toBe('exactMatch');
    expect(m.chrF).toBeGreaterThan(0);
  });

  it('generates the same answers in batches cut to a token budget, each answer for its own prompt', () => {
    const examples = ['plural of cat is', 'plural of dog is', 'a b c', 'x', 'plural of mouse is'].map((i) => ({
      input: i,
      target: ' x',
    }));
    const one = evaluateTask(model, charCodec, examples, 'generation', { maxNewTokens: 6, batchSize: 1 });
    // 8 prompts per batch, but at most 40 padded positions: batches of 1-2 prompts
    const cut = evaluateTask(model, charCodec, examples, 'generation', { maxNewTokens: 6, maxBatchTokens: 40 });
    expect(cut.predictions).toEqual(one.predictions);
    expect(new Set(one.predictions).size).toBeGreaterThan(1);
  });

  it('uses chrF as the primary metric of a translation task', () => {
    const m = evaluateTask(model, charCodec, [{ input, target: ' chats' }], 'translation', { maxNewTokens: 6 });
    expect(m.primaryMetric).toBe('chrF');
    expect(m.score).toBe(m.chrF);
  });

  it('answers and scores in-context prompts as the same prompts given whole, cut to the model or not', () => {
    // The tiny model takes 64 positions and 6 new tokens leave 58 for a prompt: BOS, 46 characters of demonstrations
    // and a 16-character input lose 5 (three such), an 18-character one loses 7 (alone), one character loses none.
    const demos = 'plural of dog is dogs\n\nplural of cat is cats\n\n';
    const inputs = ['plural of cow is', 'a', 'plural of pig is', 'plural of mouse is', 'plural of hen is', 'b'];
    const examples = inputs.map((i) => ({ input: i, target: ' x\ns' })); // two lines: nothing stops at a newline
    const varied = createTinyModel(9); // answers these prompts differently (seed 7 answers "aaaaaa" to all)
    const icl = evaluateTask(varied, charCodec, examples, 'generation', { promptPrefix: demos, maxNewTokens: 6 });
    const whole = evaluateTask(
      varied,
      charCodec,
      examples.map((e) => ({ ...e, input: demos + e.input })),
      'generation',
      { maxNewTokens: 6, batchSize: 1 },
    );
    expect(icl.predictions).toEqual(whole.predictions);
    expect(new Set(whole.predictions).size).toBeGreaterThan(1);
    expect(icl.examples.map((e) => e.targetNll)).toBeAllClose(
      whole.examples.map((e) => e.targetNll),
      { atol: 1e-4 },
    );
    varied.dispose();
  });

  it('runs the demonstrations once per group of in-context prompts that keep the same part of them', () => {
    // As above: scoring (targets of 5 tokens, 64 positions) cuts the three 16-character inputs' prompts by 4 and the
    // 18-character one by 6 (alone: whole); generation (58 positions) cuts them by 5 and 7. The two 1-character
    // inputs are never cut and form a group of their own.
    const demos = 'plural of dog is dogs\n\nplural of cat is cats\n\n';
    const inputs = ['plural of cow is', 'a', 'plural of pig is', 'plural of mouse is', 'plural of hen is', 'b'];
    const examples = inputs.map((i) => ({ input: i, target: ' x\ns' }));
    const hidden = vi.spyOn(model, 'hidden');
    evaluateTask(model, charCodec, examples, 'generation', { promptPrefix: demos, maxNewTokens: 6 });
    const long = hidden.mock.calls.map(([ids]) => ids.shape).filter(([rows, length]) => rows === 1 && length! > 40);
    hidden.mockRestore();
    expect(long).toEqual([
      [1, 64], // scoring: the 18-character input's prompt, whole
      [1, 43], // scoring: the demonstrations after 4 cut tokens, for the three 16-character inputs
      [1, 47], // scoring: the whole demonstrations, for the two uncut prompts
      [1, 58], // generation: the 18-character input's prompt, whole
      [1, 42], // generation: the demonstrations after 5 cut tokens, for the three 16-character inputs
      [1, 47], // generation: the whole demonstrations, for the two uncut prompts
    ]);
  });

  it('changes the prompt with in-context demonstrations', () => {
    const plain = evaluateTask(model, charCodec, [{ input, target: ' cats' }], 'generation');
    const icl = evaluateTask(model, charCodec, [{ input, target: ' cats' }], 'generation', {
      promptPrefix: 'plural of dog is dogs\n\n',
    });
    expect(icl.targetLoss).not.toBeCloseTo(plain.targetLoss, 6);
  });
});
