import { LoggerService } from '@backstage/backend-plugin-api';
import { spawn } from 'node:child_process';

/**
 * Runs git with an argument array and no shell, without hooks or prompts, and
 * logs its output. Resolves with stdout; rejects with stderr on failure.
 */
export async function runGit(
  args: string[],
  options: { cwd: string; logger: LoggerService; signal?: AbortSignal },
): Promise<string> {
  const fullArgs = ['-c', 'core.hooksPath=/dev/null', ...args];
  const command = args.find(arg => !arg.startsWith('-') && !arg.includes('='));
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, {
      cwd: options.cwd,
      shell: false,
      signal: options.signal,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => {
      stdout += chunk;
    });
    child.stderr.on('data', chunk => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', code => {
      for (const line of `${stdout}${stderr}`.split('\n')) {
        if (line.trim()) options.logger.info(`git ${command}: ${line}`);
      }
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `git ${command} failed (exit code ${code}): ${stderr.trim()}`,
          ),
        );
    });
  });
}
