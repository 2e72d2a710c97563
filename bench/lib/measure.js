'use strict';
/**
 * Running one measured command: wall time from the harness's monotonic clock,
 * peak RSS and CPU (user + system) from /usr/bin/time, which reports the
 * child's rusage including the descendants it waited for.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const TIME = '/usr/bin/time';
const KEEP_OUTPUT = 4 * 1024 * 1024;

function timeAvailable() {
  return fs.existsSync(TIME);
}

/** The last `max` bytes of a file, as text. */
function readTail(file, max = KEEP_OUTPUT) {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const length = Math.min(size, max);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs `cmd` ({ file, args, env, cwd, timeoutMs }) once. stdout and stderr go to
 * files (so a chatty tool pays for writing, not for a pipe the harness drains).
 * @returns {{ wall: number, rssMb: number, cpu: number, status: number|null, signal: string|null, stdout: string, stderr: string }}
 */
function measure(cmd, scratch) {
  const timeFile = path.join(scratch, 'time.txt');
  const outFile = path.join(scratch, 'stdout.txt');
  const errFile = path.join(scratch, 'stderr.txt');
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(errFile, 'w');
  let result;
  const started = process.hrtime.bigint();
  try {
    result = spawnSync(TIME, ['-o', timeFile, '-f', '%M %U %S', cmd.file, ...cmd.args], {
      cwd: cmd.cwd,
      env: cmd.env,
      stdio: ['ignore', out, err],
      timeout: cmd.timeoutMs ?? 30 * 60 * 1000,
    });
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  // time prints "Command exited with non-zero status N" before the format line.
  const lines = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim().split('\n') : [];
  const [rssKb, user, sys] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
  return {
    wall,
    rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : NaN,
    cpu: Number.isFinite(user) && Number.isFinite(sys) ? user + sys : NaN,
    status: result.status,
    signal: result.signal,
    error: result.error ? String(result.error) : undefined,
    stdout: readTail(outFile),
    stderr: readTail(errFile, 64 * 1024),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median, min and max of each measured quantity over the runs of one entry. */
function summarise(samples) {
  const of = (key) => samples.map((s) => s[key]).filter(Number.isFinite);
  const wall = of('wall');
  const rss = of('rssMb');
  const cpu = of('cpu');
  return {
    runs: samples.length,
    median: median(wall),
    min: Math.min(...wall),
    max: Math.max(...wall),
    cpu: median(cpu),
    rssMb: median(rss),
    rssMaxMb: Math.max(...rss),
    // A figure the process reported about itself (the embedded workload's milliseconds to the first query).
    ...(of('probeMs').length ? { probeMs: median(of('probeMs')) } : {}),
  };
}

module.exports = { measure, median, summarise, timeAvailable };
