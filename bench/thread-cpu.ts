/**
 * CPU time of each of this process's threads, from /proc (Linux): what shows which thread a load
 * saturates (the main one: the API and the state machines; the functions'; the emulators'), in
 * figures that hold on a busy machine too (CPU time, not wall time). Elsewhere: nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export type ThreadTimes = Map<number, { name: string; ms: number }>;

export function threadTimes(): ThreadTimes {
  const times: ThreadTimes = new Map();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return times;
  }
  for (const tid of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // pid (comm) state … utime stime: the name may hold spaces, so fields count from its ")".
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(Number(tid), { name, ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND });
    } catch {
      // the thread ended
    }
  }
  return times;
}

/**
 * CPU milliseconds per `per` (e.g. per run) between two readings: in all, of the threads that used
 * the most, and of the rest together (`otherThreads`: V8's compiler and GC helpers, libuv's pool).
 */
export function cpuPer(before: ThreadTimes, after: ThreadTimes, per: number, top = 4): Record<string, number> {
  const used = [...after].map(([tid, t]) => ({ label: `${t.name}#${tid}`, ms: t.ms - (before.get(tid)?.ms ?? 0) })).sort((a, b) => b.ms - a.ms);
  const sum = (threads: { ms: number }[]) => threads.reduce((total, t) => total + t.ms, 0);
  const perUnit = (ms: number) => Math.round((ms / per) * 100) / 100;
  return { total: perUnit(sum(used)), ...Object.fromEntries(used.slice(0, top).map((t) => [t.label, perUnit(t.ms)])), otherThreads: perUnit(sum(used.slice(top))) };
}
