/**
 * Calls a function a module exports, in a fresh process, and prints its JSON result: for tests whose toy modules
 * are written at run time: Vitest's module runner cannot load a file made outside the project after it started,
 * and keeps serving a module's old code after an edit. Run as `node --import tsx <this file> <module URL> <export> <JSON array of arguments>`.
 */
const [url, exported, args] = process.argv.slice(2);
const functions = (await import(url)) as Record<string, (...values: unknown[]) => unknown>;
if (typeof functions[exported] !== 'function') throw new Error(`${url} exports no function '${exported}'`);
process.stdout.write(`${JSON.stringify(await functions[exported](...(JSON.parse(args) as unknown[])))}\n`);

export {};
