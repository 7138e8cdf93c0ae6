#!/usr/bin/env node
import { RUNNING, runCli } from './cli-run.ts'

/**
 * The `colophon` binary: runs one command (see cli-run.ts) with this process's streams and environment.
 * Nothing else lives here, so that tests can import `runCli` without starting a command.
 */
const result = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
})
if (result !== RUNNING) process.exitCode = result
