/**
 * Chat templates: the Jinja `chat_template` of a `tokenizer_config.json`, rendered with `@huggingface/jinja` in the
 * context HF transformers' `apply_chat_template` gives it (`messages`, `add_generation_prompt`, the special-token
 * strings; `raise_exception` is built into the Jinja runtime).
 */
import { Template } from '@huggingface/jinja';
import { MetaLoraError } from '@meta-lora/artifacts';

/** One turn of a conversation. */
export interface ChatMessage {
  /** `system`, `user` or `assistant` (templates may accept more). */
  readonly role: string;
  readonly content: string;
}

export interface ChatTemplateOptions {
  /** End with the prompt that starts an assistant turn. */
  readonly addGenerationPrompt: boolean;
}

/** The special-token strings a template may use. */
export interface ChatTemplateTokens {
  readonly bosToken?: string | undefined;
  readonly eosToken?: string | undefined;
  readonly padToken?: string | undefined;
  readonly unkToken?: string | undefined;
}

/** A parsed chat template. */
export interface ChatTemplate {
  render(messages: readonly ChatMessage[], options: ChatTemplateOptions): string;
}

/**
 * Parses `source` (from the file `path`, named in errors) once; `render` fills it in.
 *
 * @example
 * const t = compileChatTemplate("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}", {}, 'tokenizer_config.json');
 * t.render([{ role: 'user', content: 'hi' }], { addGenerationPrompt: false }); // 'user: hi\n'
 */
export function compileChatTemplate(source: string, tokens: ChatTemplateTokens, path: string): ChatTemplate {
  let template: Template;
  try {
    template = new Template(source);
  } catch (cause) {
    throw new MetaLoraError(
      'TOKENIZER_INVALID',
      `chat_template does not parse as Jinja: ${(cause as Error).message}`,
      { path, field: 'chat_template', value: source, fix: 'fix the template or remove chat_template' },
      { cause },
    );
  }
  return {
    render(messages, options) {
      try {
        return template.render({
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          add_generation_prompt: options.addGenerationPrompt,
          bos_token: tokens.bosToken ?? '',
          eos_token: tokens.eosToken ?? '',
          pad_token: tokens.padToken ?? '',
          unk_token: tokens.unkToken ?? '',
        });
      } catch (cause) {
        // The template parsed, so a failure here is the template refusing these messages (`raise_exception`).
        throw new MetaLoraError(
          'DATA_INVALID',
          `the chat template cannot render these messages: ${(cause as Error).message}`,
          { path, field: 'messages', fix: 'use the roles and turn order that the model’s chat_template accepts' },
          { cause },
        );
      }
    },
  };
}
