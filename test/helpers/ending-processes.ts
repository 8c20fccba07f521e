// Shell lines that leave a process at the moment their command ends, as omk's supervisors (the
// subreaper, the sandbox's init) must judge it: one still ending, one only looking so.

/**
 * A child killed by the command on its way out (a test runner ending its workers): it holds a
 * large heap, so it is still being torn down when the command has ended. It runs no code of its
 * own any more: not a process left behind. `ready` is a file the child writes once its heap is
 * full.
 */
export function killedOnTheWayOut(ready: string, megabytes = 300): string {
  const heavy = `perl -e '$x = "x" x (${megabytes} << 20); open(F, ">", "${ready}"); close F; sleep 60' </dev/null >/dev/null 2>&1 &`;
  return `${heavy} while [ ! -e ${ready} ]; do sleep 0.01; done; kill -9 $!`;
}

/**
 * A child whose first thread has ended (a zombie, as `/proc/<pid>/stat` shows the process) while
 * another thread of it runs on, 30 s: a process left behind, however its first thread looks. The
 * line waits until that thread has ended and writes the child's pid to `pidFile`.
 */
export function threadOutlivesItsLeader(pidFile: string): string {
  const python =
    'import ctypes, threading, time\n' +
    'threading.Thread(target=time.sleep, args=(30,)).start()\n' +
    'ctypes.CDLL(None).pthread_exit(None)';
  return [
    `python3 -c '${python}' &`,
    'p=$!',
    `while ! grep -q '^[0-9]* ([^)]*) Z' /proc/$p/stat; do sleep 0.02; done`,
    `echo $p > ${pidFile}`,
  ].join('\n');
}
