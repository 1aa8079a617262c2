/**
 * CPU time of this process per thread kind, from /proc/self/task (Linux only; empty elsewhere).
 * process.cpuUsage() sums every thread; this separates the event-loop thread from libuv's
 * thread pool (file-system work: the response cache, the JSONL appenders' writes and fsyncs) and
 * V8's helper threads (garbage collection, compilation), which run beside the event loop.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Seconds of user + system CPU: "mainThread" (the event loop) and "otherThreads" (Node 20 does not
 * name its threads, so the libuv pool and V8's helpers are counted together).
 */
export function threadCpuSeconds(): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux builds in practice
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The name is in parentheses and may contain spaces; the fields after it are space-separated.
      const name = tid === String(process.pid) ? 'mainThread' : 'otherThreads';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
      out[name] = (out[name] ?? 0) + ticks / ticksPerSecond;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** after − before per thread name, rounded to 10 ms (the tick). */
export function threadCpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after)) out[name] = Number((seconds - (before[name] ?? 0)).toFixed(2));
  return out;
}
