/**
 * What evaluation needs from a tokenizer: encode, decode and the EOS id. lora-core's `Tokenizer` satisfies it as is;
 * tests can pass a small hand-made codec for a tiny random model.
 */
export interface TextCodec {
  encode(text: string, options?: { readonly addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { readonly skipSpecialTokens?: boolean }): string;
  readonly eosTokenId: number | undefined;
}
