#!/usr/bin/env node
// `npm run scan`: n8n's own community-package scanner (@n8n/scan-community-package, the check n8n
// runs before a package is verified) on the packed tarball, offline. Its CLI downloads the package
// from the npm registry by name; here its analyser gets what `npm pack` makes of this checkout, and
// the sources (nodes/, credentials/, package.json) the way it lints a provenance checkout.
// `npm run build` first. Exits 1 on any finding.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { SOURCE_FILE_PATTERNS, analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = mkdtempSync(path.join(tmpdir(), 'handoff-scan-'));
let failed = false;
try {
	execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
	const unpacked = path.join(work, 'package');
	execFileSync('tar', ['-xzf', tarball, '-C', work], { cwd: work });
	for (const [what, dir, patterns] of [
		[`the packed package (${tarball})`, unpacked, undefined],
		['the sources (nodes/, credentials/, package.json)', root, SOURCE_FILE_PATTERNS],
	]) {
		const result = await analyzePackage(dir, patterns);
		if (result.passed) {
			console.log(`scan: ${what}: passed${result.message ? ` (${result.message})` : ''}`);
		} else {
			failed = true;
			console.log(`scan: ${what}: FAILED: ${result.message}\n${result.details ?? ''}`);
		}
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
