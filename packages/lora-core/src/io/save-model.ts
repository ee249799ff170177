/**
 * Writes a model as a Hugging Face directory: `config.json` (the HF fields it was built from) and `model.safetensors`
 * (F32 or F16), atomically. `loadModel` reads it back; so does `transformers`.
 */
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '@meta-lora/artifacts';
import type { LlamaModel } from '../model/llama-model.ts';
import { serializeSafetensors, type TensorToWrite } from './safetensors-write.ts';

export interface SaveModelOptions {
  readonly dtype?: 'F32' | 'F16' | 'BF16';
  /** Extra files to write into the directory (name → contents), e.g. a tokenizer or a model card. */
  readonly extraFiles?: Readonly<Record<string, string | Uint8Array>>;
}

/**
 * @example
 * await saveModel(model, 'models/meta-lora-base', { dtype: 'F16' });
 */
export async function saveModel(model: LlamaModel, dir: string, options: SaveModelOptions = {}): Promise<void> {
  const dtype = options.dtype ?? 'F32';
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, t] of model.namedWeights()) {
    tensors.set(name, { dtype, shape: [...t.shape], data: t.dataSync() as Float32Array });
  }
  const torchDtype = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype];
  const config = { ...model.config.raw, torch_dtype: torchDtype };
  await writeDirAtomic(dir, (tmp) => {
    writeFileAtomic(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileAtomic(join(tmp, 'model.safetensors'), serializeSafetensors(tensors, { format: 'pt' }));
    for (const [name, contents] of Object.entries(options.extraFiles ?? {})) writeFileAtomic(join(tmp, name), contents);
  });
}
