/**
 * Fast replacements for the hot tfjs cpu kernels (issue: fast training on the CPU path).
 * Registration is filled in kernel by kernel; until a kernel is listed here the stock one runs.
 */
export function registerFastKernels(): void {}
