/**
 * CPU time and resident memory of process groups, read from /proc (Linux only). n8n and its task
 * runner share a process group, so a group's figures are "what this n8n process costs".
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';

import { processGroupMembers } from '../test/e2e/lib/n8n';

let ticksPerSecond: number | undefined;

/** utime/stime are counted in clock ticks (usually 100 per second). */
function clockTicks(): number {
	ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
	return ticksPerSecond;
}

/** Fields after "pid (comm)": comm may contain spaces, so split after the last ')'. */
function statFields(statPath: string): { comm: string; fields: string[] } | undefined {
	try {
		const stat = fs.readFileSync(statPath, 'utf8');
		const close = stat.lastIndexOf(')');
		return { comm: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
	} catch {
		return undefined; // the process or thread ended while we were reading
	}
}

/** utime + stime of one process (all its threads), in ms. Fields 14 and 15 of stat, 0-based 11 and 12 after comm. */
function processCpuMs(pid: number): number {
	const stat = statFields(`/proc/${pid}/stat`);
	if (!stat) return 0;
	return ((Number(stat.fields[11]) + Number(stat.fields[12])) * 1000) / clockTicks();
}

/** CPU ms used so far by every live process of these groups. */
export function groupCpuMs(pgids: number[]): number {
	return pgids.flatMap(processGroupMembers).reduce((sum, pid) => sum + processCpuMs(pid), 0);
}

/** Resident memory of every live process of these groups, in MB. */
export function groupRssMB(pgids: number[]): number {
	let kb = 0;
	for (const pid of pgids.flatMap(processGroupMembers)) {
		try {
			const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			kb += m ? Number(m[1]) : 0;
		} catch {
			// ended meanwhile
		}
	}
	return Math.round(kb / 1024);
}

/**
 * CPU ms per thread name (comm) of these groups' processes: tells the main JavaScript thread
 * ("node") from V8's helpers (GC, compiler: "V8 DefaultWorke") and libuv's pool ("libuv-worker").
 */
export function threadCpuMs(pgids: number[]): Record<string, number> {
	const byName: Record<string, number> = {};
	for (const pid of pgids.flatMap(processGroupMembers)) {
		let tids: string[] = [];
		try {
			tids = fs.readdirSync(`/proc/${pid}/task`);
		} catch {
			continue;
		}
		for (const tid of tids) {
			const stat = statFields(`/proc/${pid}/task/${tid}/stat`);
			if (!stat) continue;
			const ms = ((Number(stat.fields[11]) + Number(stat.fields[12])) * 1000) / clockTicks();
			byName[stat.comm] = (byName[stat.comm] ?? 0) + ms;
		}
	}
	return byName;
}

export function subtractThreads(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
	const delta: Record<string, number> = {};
	for (const [name, ms] of Object.entries(after)) {
		const d = Math.round(ms - (before[name] ?? 0));
		if (d > 0) delta[name] = d;
	}
	return delta;
}

/**
 * Process groups led by a process whose working folder is inside `folder`. N8nInstance starts
 * each of its n8n processes (main, webhook-N, worker-N) as a group leader with its cwd in the
 * instance's user folder; only main's pid is public, so the others are found this way.
 */
export function groupsLedFrom(folder: string): number[] {
	const leaders: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = statFields(`/proc/${entry}/stat`);
		if (!stat || stat.fields[0] === 'Z' || Number(stat.fields[2]) !== Number(entry)) continue;
		try {
			const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
			if (cwd === folder || cwd.startsWith(`${folder}/`)) leaders.push(Number(entry));
		} catch {
			// not ours to read, or gone
		}
	}
	return leaders;
}

/** Samples the peak resident memory of some groups until stopped. */
export function rssSampler(pgids: () => number[], everyMs = 250): { stop(): number } {
	let peak = groupRssMB(pgids());
	const timer = setInterval(() => (peak = Math.max(peak, groupRssMB(pgids()))), everyMs);
	return {
		stop() {
			clearInterval(timer);
			return Math.max(peak, groupRssMB(pgids()));
		},
	};
}
