export type { ChatMessage, ChatTemplate, ChatTemplateOptions, ChatTemplateTokens } from './chat-template.ts';
export { compileChatTemplate } from './chat-template.ts';
export type { DecodeOptions, EncodeOptions } from './tokenizer.ts';
export { loadTokenizer, Tokenizer } from './tokenizer.ts';
