/**
 * Renders notification templates with LiquidJS in strict mode: an unknown variable or filter
 * is an error, never an empty string. Template source comes only from Escalon or an admin;
 * user-written text arrives in the RenderContext as data. HTML bodies are rendered with every
 * output escaped; a template without its own HTML gets its text escaped and wrapped.
 */
import { Liquid, type Template } from 'liquidjs';
import type { RenderContext } from './render-context.ts';
import type { TemplateSource } from './template-source.ts';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/**
 * No file access (issue 12): `templates: {}` replaces LiquidJS's file system (by default the
 * process's working directory) with an empty in-memory one, so nothing is ever read from disk;
 * and `include`, `render` and `layout` are refused when a template is parsed — when an admin
 * saves it, and again at render — with a message that says so, rather than at render time
 * with "failed to lookup".
 */
const options = { strictVariables: true, strictFilters: true, ownPropertyOnly: true, timezoneOffset: 0, cache: false, templates: {} } as const;
export const FILE_TAGS = ['include', 'render', 'layout'] as const;

function sandboxed(engine: Liquid): Liquid {
  for (const tag of FILE_TAGS) {
    engine.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not available in notification templates: templates cannot read other templates or files; write the text into this template`);
      },
      render() {
        throw new Error(`{% ${tag} %} is not available in notification templates`);
      },
    });
  }
  return engine;
}

const textEngine = sandboxed(new Liquid(options));
const htmlEngine = sandboxed(new Liquid({ ...options, outputEscape: 'escape' }));

const parsed = new Map<string, Template[]>();
const MAX_CACHED = 500;

function parse(engine: Liquid, kind: string, source: string): Template[] {
  const key = `${kind}\u0000${source}`;
  let tpl = parsed.get(key);
  if (!tpl) {
    tpl = engine.parse(source);
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(key, tpl);
  }
  return tpl;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The text escaped and wrapped: what an internal notice's HTML part is. */
export function textToHtml(text: string): string {
  const paras = text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${paras}</body></html>`;
}

export class TemplateRenderError extends Error {
  constructor(
    readonly template: string,
    readonly part: 'subject' | 'text' | 'html',
    cause: unknown,
  ) {
    super(`template '${template}' (${part}): ${(cause as Error).message}`, { cause });
    this.name = 'TemplateRenderError';
  }
}

export async function renderTemplate(name: string, source: TemplateSource, ctx: RenderContext): Promise<RenderedMessage> {
  const data = ctx as unknown as Record<string, unknown>;
  const run = async (part: 'subject' | 'text' | 'html', engine: Liquid, src: string): Promise<string> => {
    try {
      return String(await engine.render(parse(engine, part === 'html' ? 'html' : 'text', src), data));
    } catch (err) {
      throw new TemplateRenderError(name, part, err);
    }
  };
  // A subject is one line: user text with a newline must not start a new header.
  const subject = (await run('subject', textEngine, source.subject)).replace(/[\r\n]+/g, ' ').trim();
  const text = (await run('text', textEngine, source.text)).replace(/\n{3,}/g, '\n\n').trim() + '\n';
  const html = source.html !== undefined ? await run('html', htmlEngine, source.html) : textToHtml(text);
  return { subject, text, html };
}
