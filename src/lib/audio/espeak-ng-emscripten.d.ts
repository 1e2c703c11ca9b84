/**
 * The part of @echogarden/espeak-ng-emscripten 0.3.5 this project calls (the package ships no types).
 * Read from its espeak-ng.js: the default export builds the Emscripten module; eSpeakNGWorker wraps the
 * synthesizer; synthesize() calls back with 16-bit samples and returns when the text is done (a callback
 * returning true aborts).
 */
declare module '@echogarden/espeak-ng-emscripten' {
  export interface ESpeakNGWorker {
    /** 0 on success. `name` may carry a variant: `en-us+f3`. */
    set_voice(name: string): number;
    set_rate(wordsPerMinute: number): void;
    set_pitch(pitch: number): void;
    set_range(range: number): void;
    get_samplerate(): number;
    get_rate(): number;
    get_pitch(): number;
    synthesize(text: string, callback: (samples: Int16Array, events: unknown[]) => boolean): void;
    list_voices(): Array<{ name: string; identifier: string; languages: Array<{ priority: number; name: string }> }>;
  }

  export interface ESpeakNGModule {
    eSpeakNGWorker: new () => ESpeakNGWorker;
    /** The module's linear memory; re-created (a new view) when the memory grows. */
    HEAPU8: Uint8Array;
  }

  const createModule: (options?: Record<string, unknown>) => Promise<ESpeakNGModule>;
  export default createModule;
}
