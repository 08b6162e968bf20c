import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';

export interface SseMessage {
  /** `change`, `ready`, …, or `comment` for a comment line (a heartbeat). */
  type: string;
  data: unknown;
}

export interface OpenStream {
  status: number;
  contentType: string | null;
  messages: SseMessage[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** The first message (after those already seen, by index) that matches, or a timeout error. */
  waitFor(match: (message: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
  /** The body of a refused stream (problem+json). */
  text?: string;
}

/** The base URL of the app, listening on a free port (once). */
export async function listening(app: INestApplication): Promise<string> {
  const server = app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Opens an event stream the way a browser does (a long GET), parsing messages as they come. */
export async function openStream(base: string, path: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(`${base}${path}`, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const messages: SseMessage[] = [];
  const listeners = new Set<() => void>();
  const stream: OpenStream = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    messages,
    ended: Promise.resolve(),
    close: () => abort.abort(),
    // 30 s: the live feed is read below the watermark, which a transaction open anywhere on the
    // server (another test file's too) holds back for as long as it stays open.
    waitFor: (match, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`No matching event within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
  if (!response.ok || !response.body) {
    stream.text = await response.text();
    return stream;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          messages.push(parse(block));
          for (const listener of [...listeners]) listener();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return stream;
}

function parse(block: string): SseMessage {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) return { type: 'comment', data: line.slice(1).trim() };
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  const text = data.join('\n');
  try {
    return { type, data: JSON.parse(text) };
  } catch {
    return { type, data: text };
  }
}
