import { describe, expect, it } from 'vitest';
import { agentsConfigSchema } from '../agents/config.js';
import { RequestError, UsageError } from '../errors.js';
import { describeIssues, NEUTRAL_SPELLING } from '../request-issue-text.js';
import { withAgentArgs } from './agent.js';

const agents = agentsConfigSchema.parse({
  custom: { mine: { argv: ['my-agent', '{promptFile}'] } },
  settings: { claude: { extraArgs: ['--verbose'] } },
});

describe('withAgentArgs', () => {
  it("appends to a preset's or a script's extra arguments", () => {
    expect(withAgentArgs(agents, 'claude', ['--model', 'opus']).settings.claude?.extraArgs).toEqual([
      '--verbose',
      '--model',
      'opus',
    ]);
    expect(withAgentArgs(agents, 'script:./fix.sh', ['-q']).settings['script:./fix.sh']).toEqual({
      extraArgs: ['-q'],
      env: [],
      home: [],
    });
  });

  it("appends to a custom agent's argv", () => {
    expect(withAgentArgs(agents, 'mine', ['--fast']).custom.mine?.argv).toEqual([
      'my-agent',
      '{promptFile}',
      '--fast',
    ]);
  });

  it('changes nothing without arguments, and refuses arguments for the demo agent', () => {
    expect(withAgentArgs(agents, 'demo', [])).toBe(agents);
    expect(() => withAgentArgs(agents, 'demo', ['-x'])).toThrow(UsageError);
  });

  it('refuses them as an issue each front door words, never spelling an input itself', () => {
    const refusal = (() => {
      try {
        withAgentArgs(agents, 'demo', ['-x']);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(RequestError);
    const { issues } = refusal as RequestError;
    expect(issues).toEqual([{ code: 'takes_no_args', field: 'agentArgs', agent: 'demo', example: 'claude' }]);
    expect(describeIssues(issues, NEUTRAL_SPELLING)).toBe(
      'agentArgs: the demo agent runs no command, so it takes no arguments. Remove agentArgs, or use an agent that runs a command. Example: agent: claude',
    );
  });
});
