/**
 * A small static file server for the built site, as a static host would serve it (for the browser tests and for
 * scripts/pdf.ts, which prints the report from it): files from `root` below
 * `base`, `index.html` for folders, 404 otherwise, and the site's strict Content-Security-Policy as a header on
 * every response. Listens on 127.0.0.1 at a free port.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

export interface StaticServer {
  /** `http://127.0.0.1:<port>`, without the base. */
  origin: string;
  /** `origin` + base, ending in `/`: the site's front page. */
  url: string;
  close(): Promise<void>;
}

export interface StaticServerOptions {
  root: string;
  /** Where the site is mounted, e.g. `/` or `/hw2-report/`. */
  base?: string;
  headers?: Record<string, string>;
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const base = `/${(options.base ?? '/').replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  const root = normalize(options.root);
  const server = createServer((request, response) => {
    void (async () => {
      const headers = { ...options.headers, 'Cache-Control': 'no-store' };
      const send = (status: number, text: string) => {
        response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
        response.end(text);
      };
      if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed');
      let pathname: string;
      try {
        pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      } catch {
        return send(400, 'bad request');
      }
      if (!pathname.startsWith(base) && `${pathname}/` !== base) return send(404, `not below the base ${base}`);
      const inside = pathname.slice(base.length - 1);
      const file = normalize(join(root, inside));
      if (file !== root && !file.startsWith(root + sep)) return send(403, 'outside the site');
      let target = file;
      try {
        let info = await stat(target);
        if (info.isDirectory()) {
          if (!pathname.endsWith('/')) {
            response.writeHead(301, { ...headers, Location: `${pathname}/` });
            return response.end();
          }
          target = join(target, 'index.html');
          info = await stat(target);
        }
        response.writeHead(200, { ...headers, 'Content-Type': contentTypes[extname(target)] ?? 'application/octet-stream', 'Content-Length': info.size });
        if (request.method === 'HEAD') return response.end();
        createReadStream(target).pipe(response);
      } catch {
        send(404, 'not found');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: `${origin}${base}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
