import { readFileSync, writeFileSync } from 'node:fs';

/** Resident memory of a process, from /proc/<pid>/status (Linux), in MB. */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  readonly rssMb: number;
  /** VmHWM: the peak resident size since start, or since {@link resetPeakRss}. */
  readonly peakRssMb: number;
}

function kbField(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!m) throw new Error(`/proc status has no ${name}`);
  return Number(m[1]) / 1024;
}

/** The resident memory of process `pid` now and at its peak. Throws once the process is gone. */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMb: kbField(status, 'VmRSS'), peakRssMb: kbField(status, 'VmHWM') };
}

/**
 * Resets VmHWM of `pid` to its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux >= 4.0),
 * so that a later peak covers only what follows. False when the kernel refused.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples VmRSS of `pid` every `intervalMs` until stopped; `stop()` returns the highest sample,
 * a lower bound of the true peak that never includes what came before the sampler started.
 */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number } {
  let max = 0;
  const take = (): void => {
    try {
      max = Math.max(max, processMemory(pid).rssMb);
    } catch {
      // The process ended; the samples so far stand.
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return max;
    },
  };
}
