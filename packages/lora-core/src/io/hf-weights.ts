/**
 * Loading the weights of a Hugging Face model directory, as `transformers` does: `model.safetensors`, or else the
 * shards named by `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensorName: shardFile}}`).
 * The index and the shards must agree exactly: every listed tensor is in its shard, no tensor is in two shards, and
 * no shard holds a tensor the index does not list. Any disagreement is a `CHECKPOINT_INVALID` error naming the files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { MetaLoraError, readJsonFile } from '@meta-lora/artifacts';
import { readSafetensors, readSafetensorsEntry, readSafetensorsLayout } from './safetensors.ts';

/** One weight, as float32, with the file it came from (for error messages downstream). */
export interface HfWeightTensor {
  readonly shape: number[];
  readonly data: Float32Array;
  readonly file: string;
}

/**
 * One weight, not read yet: `read` fills `out` (of the weight's element count) with its values as float32, so the
 * caller decides where they go (a tensor's own memory: see `tensorFromData`).
 */
export interface HfWeightSource {
  readonly shape: number[];
  readonly file: string;
  readonly read: (out: Float32Array) => void;
}

/** All the weights of a model directory: read (`readHfWeights`) or ready to read (`openHfWeights`). */
export interface HfWeights<T extends HfWeightTensor | HfWeightSource = HfWeightTensor> {
  readonly dir: string;
  /** The safetensors files read, in order. */
  readonly files: readonly string[];
  readonly tensors: ReadonlyMap<string, T>;
}

const SINGLE_FILE = 'model.safetensors';
const INDEX_FILE = 'model.safetensors.index.json';

/**
 * Loads every weight of a Hugging Face model directory (or of one `.safetensors` file) as float32. Integer tensors,
 * which Llama-family checkpoints do not have, are converted to float32 too.
 *
 * @example
 * const weights = readHfWeights('models/stories260K');
 * weights.tensors.get('model.embed_tokens.weight')?.shape; // [512, 64]
 */
export function readHfWeights(dir: string): HfWeights {
  return findWeights(dir, (file) => {
    const tensors = new Map<string, HfWeightTensor>();
    for (const [name, t] of readSafetensors(file).tensors) {
      const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
      tensors.set(name, { shape: t.shape, data, file });
    }
    return tensors;
  });
}

/**
 * `readHfWeights` with the headers read and checked (the same checks and errors), and each weight's values left in
 * its file until its `read` is called: a model built from these reads each weight once, into the tensor that holds it.
 *
 * @example
 * const weights = openHfWeights('models/stories260K');
 * const emb = weights.tensors.get('model.embed_tokens.weight'); // { shape: [512, 64], file, read }
 */
export function openHfWeights(dir: string): HfWeights<HfWeightSource> {
  return findWeights(dir, (file) => {
    const tensors = new Map<string, HfWeightSource>();
    for (const entry of readSafetensorsLayout(file).entries) {
      tensors.set(entry.name, { shape: entry.shape, file, read: (out) => readSafetensorsEntry(file, entry, out) });
    }
    return tensors;
  });
}

/** The tensors of one safetensors file, by name, as `readFile` gives them. */
type ReadWeightsFile<T> = (file: string) => ReadonlyMap<string, T>;

/** The weight files of `dir` (one file, `model.safetensors`, or the shards of the index), each read by `readFile`. */
function findWeights<T extends HfWeightTensor | HfWeightSource>(
  dir: string,
  readFile: ReadWeightsFile<T>,
): HfWeights<T> {
  let isFile: boolean;
  try {
    isFile = statSync(dir).isFile();
  } catch (cause) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      'model directory not found',
      { path: dir, fix: 'pass the directory that holds config.json and model.safetensors' },
      { cause },
    );
  }
  if (isFile) return collect(dir, [dir], readFile);

  const single = join(dir, SINGLE_FILE);
  if (existsSync(single)) return collect(dir, [single], readFile);
  const indexPath = join(dir, INDEX_FILE);
  if (existsSync(indexPath)) return loadSharded(dir, indexPath, readFile);
  throw noWeights(dir);
}

/**
 * A required weight, checked against the shape the model expects.
 *
 * @example
 * const emb = hfWeightTensor(weights, 'model.embed_tokens.weight', [config.vocabSize, config.hiddenSize]);
 */
export function hfWeightTensor<T extends HfWeightTensor | HfWeightSource>(
  weights: HfWeights<T>,
  name: string,
  shape?: readonly number[],
): T {
  const tensor = weights.tensors.get(name);
  if (tensor === undefined) {
    const near = [...weights.tensors.keys()].filter((k) => k.endsWith(name.split('.').slice(-2).join('.')));
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `tensor "${name}" is not in the checkpoint (${weights.tensors.size} tensors in ${weights.files.join(', ')})` +
        (near.length > 0 ? `; similar names: ${near.slice(0, 3).join(', ')}` : ''),
      {
        path: weights.dir,
        field: name,
        fix: 'check that config.json matches the weights (architecture, num_hidden_layers, tie_word_embeddings)',
      },
    );
  }
  if (shape !== undefined && (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i]))) {
    throw new MetaLoraError(
      'SHAPE_MISMATCH',
      `tensor "${name}" has shape [${tensor.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`,
      { path: tensor.file, field: name, value: tensor.shape, fix: 'check that config.json belongs to these weights' },
    );
  }
  return tensor;
}

function loadSharded<T extends HfWeightTensor | HfWeightSource>(
  dir: string,
  indexPath: string,
  readFile: ReadWeightsFile<T>,
): HfWeights<T> {
  const index = readJsonFile(indexPath, { code: 'CHECKPOINT_INVALID', what: 'the sharded checkpoint index' });
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  const invalidIndex = (message: string, field?: string) =>
    new MetaLoraError(
      'CHECKPOINT_INVALID',
      message,
      field === undefined
        ? { path: indexPath, fix: 're-save the model with save_pretrained, or download the index again' }
        : { path: indexPath, field, fix: 're-save the model with save_pretrained, or download the index again' },
    );
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw invalidIndex('"weight_map" is missing or not an object of {tensorName: shardFile}');
  }

  // Shard files in order of first appearance, each with the tensors the index puts in it.
  const listed = new Map<string, Set<string>>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard === '') {
      throw invalidIndex(`weight_map["${tensor}"] must be a shard file name, got ${JSON.stringify(shard)}`, tensor);
    }
    if (isAbsolute(shard) || normalize(shard).split(sep).includes('..')) {
      throw invalidIndex(`weight_map["${tensor}"] = "${shard}" points outside the model directory`, tensor);
    }
    const names = listed.get(shard) ?? new Set<string>();
    listed.set(shard, names.add(tensor));
  }
  if (listed.size === 0) throw invalidIndex('"weight_map" lists no tensors');
  for (const [shard, names] of listed) {
    if (!existsSync(join(dir, shard))) {
      throw new MetaLoraError(
        'CHECKPOINT_INVALID',
        `the index names shard "${shard}" (holding ${names.size} tensors, e.g. "${[...names][0]}"), ` +
          'which is not in the model directory',
        { path: indexPath, field: shard, fix: `download the missing shard into ${dir}` },
      );
    }
  }

  const weights = collect(
    dir,
    [...listed.keys()].map((shard) => join(dir, shard)),
    readFile,
  );
  for (const [shard, names] of listed) {
    const shardPath = join(dir, shard);
    for (const name of names) {
      const found = weights.tensors.get(name);
      if (found === undefined || found.file !== shardPath) {
        throw new MetaLoraError(
          'CHECKPOINT_INVALID',
          `the index lists tensor "${name}" in shard "${shard}", but that shard does not hold it` +
            (found === undefined ? '' : ` (it is in ${found.file})`),
          { path: indexPath, field: name, fix: 're-save the model with save_pretrained, or download it again' },
        );
      }
    }
  }
  for (const [name, tensor] of weights.tensors) {
    if (!Object.hasOwn(weightMap, name)) {
      throw new MetaLoraError(
        'CHECKPOINT_INVALID',
        `shard ${tensor.file} holds tensor "${name}", which the index does not list`,
        { path: indexPath, field: name, fix: 're-save the model with save_pretrained, or download it again' },
      );
    }
  }
  return weights;
}

/** Reads the files in order into one map; a tensor in two files is an error. */
function collect<T extends HfWeightTensor | HfWeightSource>(
  dir: string,
  files: string[],
  readFile: ReadWeightsFile<T>,
): HfWeights<T> {
  const tensors = new Map<string, T>();
  for (const file of files) {
    for (const [name, t] of readFile(file)) {
      const previous = tensors.get(name);
      if (previous !== undefined) {
        throw new MetaLoraError(
          'CHECKPOINT_INVALID',
          `tensor "${name}" is in two shards: ${previous.file} and ${file}`,
          { path: file, field: name, fix: 're-save the model with save_pretrained, or download it again' },
        );
      }
      tensors.set(name, t);
    }
  }
  return { dir, files, tensors };
}

function noWeights(dir: string): MetaLoraError {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    // unreadable: report it as empty
  }
  const shown = entries.length === 0 ? 'it is empty' : `it holds ${entries.slice(0, 12).join(', ')}`;
  let fix = `download the weights: huggingface-cli download <repo> --include '*.safetensors' '*.json' --local-dir ${dir}`;
  if (entries.some((e) => e.endsWith('.bin') || e.endsWith('.pth') || e.endsWith('.pt'))) {
    fix =
      'convert the PyTorch weights to safetensors in Python: ' +
      `AutoModelForCausalLM.from_pretrained('${dir}').save_pretrained('${dir}', safe_serialization=True)`;
  } else if (entries.includes('adapter_model.safetensors')) {
    fix = 'this is a PEFT adapter directory; pass the base model directory named in adapter_config.json';
  }
  return new MetaLoraError(
    'CHECKPOINT_INVALID',
    `no model weights: expected ${SINGLE_FILE} or ${INDEX_FILE} in the model directory, but ${shown}`,
    { path: dir, fix },
  );
}
