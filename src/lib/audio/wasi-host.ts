/**
 * Runs a WASI (preview 1) command-line program once, in memory: its arguments are given, the files it writes
 * under `/out/` are kept in memory and returned, stdout and stderr are captured, and the clock is pinned.
 *
 * Why not `node:wasi`: under Node 20 it crashed the whole process (SIGSEGV, exit 139) on the second Flite run that
 * wrote its WAV to a preopened folder, unless a garbage collection happened to run between the two; a host that
 * owns no native state cannot do that. It also needs a temporary folder per run, prints an ExperimentalWarning,
 * and passes the real clock through, which a deterministic generator does not want.
 *
 * Only the calls a C program built with wasi-libc makes for argv, stdio and writing files are provided (the ones
 * Flite imports); anything else the program tries fails with ENOSYS, and an unknown import fails at instantiation
 * with its name.
 */

export interface WasiRun {
  /** The exit code passed to proc_exit, or 0 when `_start` returned. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Files created under `/out/`, by their name there (`/out/clip.wav` -> `clip.wav`). */
  files: Map<string, Uint8Array>;
}

/** The one folder the program sees. */
const OUT_DIR = '/out';
const PREOPEN_FD = 3;

const ERRNO = { success: 0, badf: 8, inval: 28, noent: 44, nosys: 52, spipe: 70, notcapable: 76 } as const;
const FILETYPE = { characterDevice: 2, directory: 3, regularFile: 4 } as const;
const OFLAGS_CREAT = 1;
const OFLAGS_TRUNC = 8;
const WHENCE = { set: 0, current: 1, end: 2 } as const;
/** Every right, for fdstat: the program is allowed whatever it asks within the folder. */
const ALL_RIGHTS = 0x1fffffffn;

class ProcExit {
  constructor(readonly code: number) {}
}

/** A file being written: grows on demand, `length` is its size. */
interface OpenFile {
  name: string;
  data: Uint8Array;
  length: number;
  position: number;
}

export function runWasi(module: WebAssembly.Module, args: readonly string[]): WasiRun {
  let memory: WebAssembly.Memory | undefined;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const argBytes = args.map((arg) => encoder.encode(`${arg}\0`));
  const stdout: string[] = [];
  const stderr: string[] = [];
  const open = new Map<number, OpenFile>();
  const files = new Map<string, Uint8Array>();
  let nextFd = PREOPEN_FD + 1;

  const view = () => new DataView(memory!.buffer);
  const bytes = () => new Uint8Array(memory!.buffer);

  function close(file: OpenFile): void {
    files.set(file.name, file.data.slice(0, file.length));
  }

  function write(file: OpenFile, chunk: Uint8Array): void {
    const end = file.position + chunk.length;
    if (end > file.data.length) {
      const grown = new Uint8Array(Math.max(end, file.data.length * 2, 65536));
      grown.set(file.data.subarray(0, file.length));
      file.data = grown;
    }
    file.data.set(chunk, file.position);
    file.position = end;
    file.length = Math.max(file.length, end);
  }

  const imports: Record<string, (...values: never[]) => number | undefined> = {
    args_sizes_get(countPtr: number, sizePtr: number) {
      view().setUint32(countPtr, argBytes.length, true);
      view().setUint32(
        sizePtr,
        argBytes.reduce((sum, arg) => sum + arg.length, 0),
        true,
      );
      return ERRNO.success;
    },
    args_get(argvPtr: number, bufferPtr: number) {
      let offset = bufferPtr;
      argBytes.forEach((arg, i) => {
        view().setUint32(argvPtr + 4 * i, offset, true);
        bytes().set(arg, offset);
        offset += arg.length;
      });
      return ERRNO.success;
    },
    clock_time_get(_id: number, _precision: bigint, timePtr: number) {
      view().setBigUint64(timePtr, 0n, true); // pinned: nothing the program does may depend on when it ran
      return ERRNO.success;
    },
    fd_prestat_get(fd: number, prestatPtr: number) {
      if (fd !== PREOPEN_FD) return ERRNO.badf;
      view().setUint8(prestatPtr, 0); // a directory
      view().setUint32(prestatPtr + 4, encoder.encode(OUT_DIR).length, true);
      return ERRNO.success;
    },
    fd_prestat_dir_name(fd: number, pathPtr: number, length: number) {
      if (fd !== PREOPEN_FD) return ERRNO.badf;
      bytes().set(encoder.encode(OUT_DIR).subarray(0, length), pathPtr);
      return ERRNO.success;
    },
    fd_fdstat_get(fd: number, statPtr: number) {
      const type = fd <= 2 ? FILETYPE.characterDevice : fd === PREOPEN_FD ? FILETYPE.directory : open.has(fd) ? FILETYPE.regularFile : null;
      if (type === null) return ERRNO.badf;
      const v = view();
      v.setUint8(statPtr, type);
      v.setUint16(statPtr + 2, 0, true);
      v.setBigUint64(statPtr + 8, ALL_RIGHTS, true);
      v.setBigUint64(statPtr + 16, ALL_RIGHTS, true);
      return ERRNO.success;
    },
    fd_fdstat_set_flags(fd: number) {
      return fd <= PREOPEN_FD || open.has(fd) ? ERRNO.success : ERRNO.badf;
    },
    path_open(
      dirFd: number,
      _lookupFlags: number,
      pathPtr: number,
      pathLength: number,
      openFlags: number,
      _rights: bigint,
      _inheriting: bigint,
      _fdFlags: number,
      fdPtr: number,
    ) {
      if (dirFd !== PREOPEN_FD) return ERRNO.badf;
      const name = decoder.decode(bytes().subarray(pathPtr, pathPtr + pathLength));
      if (name.includes('/') || name === '..' || name === '.') return ERRNO.notcapable;
      const existing = files.get(name);
      if (!(openFlags & OFLAGS_CREAT) && !existing) return ERRNO.noent;
      const data = existing && !(openFlags & OFLAGS_TRUNC) ? existing.slice() : new Uint8Array(0);
      const fd = nextFd++;
      open.set(fd, { name, data, length: data.length, position: 0 });
      view().setUint32(fdPtr, fd, true);
      return ERRNO.success;
    },
    fd_write(fd: number, iovsPtr: number, iovsLength: number, writtenPtr: number) {
      const file = open.get(fd);
      if (!file && fd !== 1 && fd !== 2) return ERRNO.badf;
      let written = 0;
      for (let i = 0; i < iovsLength; i++) {
        const pointer = view().getUint32(iovsPtr + 8 * i, true);
        const length = view().getUint32(iovsPtr + 8 * i + 4, true);
        const chunk = bytes().slice(pointer, pointer + length);
        if (file) write(file, chunk);
        else (fd === 1 ? stdout : stderr).push(decoder.decode(chunk));
        written += length;
      }
      view().setUint32(writtenPtr, written, true);
      return ERRNO.success;
    },
    fd_read(fd: number, _iovsPtr: number, _iovsLength: number, readPtr: number) {
      if (fd !== 0) return ERRNO.badf; // files are only ever written here
      view().setUint32(readPtr, 0, true); // stdin is empty
      return ERRNO.success;
    },
    fd_seek(fd: number, offset: bigint, whence: number, positionPtr: number) {
      const file = open.get(fd);
      if (!file) return fd <= 2 ? ERRNO.spipe : ERRNO.badf;
      const base = whence === WHENCE.set ? 0 : whence === WHENCE.current ? file.position : whence === WHENCE.end ? file.length : Number.NaN;
      const position = base + Number(offset);
      if (!(position >= 0)) return ERRNO.inval;
      file.position = position;
      view().setBigUint64(positionPtr, BigInt(position), true);
      return ERRNO.success;
    },
    fd_close(fd: number) {
      const file = open.get(fd);
      if (!file) return fd <= PREOPEN_FD ? ERRNO.success : ERRNO.badf;
      close(file);
      open.delete(fd);
      return ERRNO.success;
    },
    proc_exit(code: number) {
      throw new ProcExit(code);
    },
  };

  const wasiImports: Record<string, unknown> = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    if (entry.module !== 'wasi_snapshot_preview1') throw new Error(`wasi host: the module imports ${entry.module}.${entry.name}, which is not WASI`);
    wasiImports[entry.name] = imports[entry.name] ?? (() => ERRNO.nosys);
  }
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasiImports as WebAssembly.ModuleImports });
  const exported = instance.exports as { memory?: WebAssembly.Memory; _start?: () => void };
  if (!(exported.memory instanceof WebAssembly.Memory) || typeof exported._start !== 'function') {
    throw new Error('wasi host: the module does not export memory and _start (not a WASI command)');
  }
  memory = exported.memory;
  let exitCode = 0;
  try {
    exported._start();
  } catch (error) {
    if (!(error instanceof ProcExit)) throw error;
    exitCode = error.code;
  }
  // A file the program left open still counts as written.
  for (const file of open.values()) close(file);
  return { exitCode, stdout: stdout.join(''), stderr: stderr.join(''), files };
}
