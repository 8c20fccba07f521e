import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { pickStartOptions, START_OPTIONS, startRequestInput, UsageError } from '../runtime/app/index.js';
import { choiceOption, forgeOption, goalIdArgument, intervalOption, startOptions } from './options.js';
import { CLI_STEPS } from './wording.js';

/** A throwaway command with `configure`'s flags, parsed as a user would type `args`. */
async function parse(configure: (command: Command) => Command, args: string[]) {
  let seen: { ref: unknown; options: Record<string, unknown> } | null = null;
  const command = configure(new Command('probe').exitOverride()).action((ref: unknown, options) => {
    seen = { ref, options };
  });
  await command.parseAsync(args, { from: 'user' });
  return seen as { ref: unknown; options: Record<string, unknown> } | null;
}

describe('startOptions', () => {
  const withStart = (command: Command) => {
    command.argument('[goal]');
    for (const option of startOptions()) command.addOption(option);
    return command;
  };

  it("is every start option of the runtime's catalogue, with its meaning as its help", () => {
    const options = startOptions();
    expect(options.map((option) => option.attributeName()).sort()).toEqual(Object.keys(START_OPTIONS).sort());
    for (const option of options) {
      const field = option.attributeName() as keyof typeof START_OPTIONS;
      expect(option.description, field).toBe(START_OPTIONS[field].meaning);
    }
    expect(options.map((option) => option.flags)).toContain('--merge-policy <policy>');
    expect(options.map((option) => option.flags)).toContain('--no-llm-planner');
  });

  it('reads what was typed into the start request input: the off-switch off, the budget nested', async () => {
    const args = [
      'fix it',
      '--no-llm-planner',
      '--until-ready',
      '--budget-time',
      '2h',
      '--policy',
      'auto-pr',
    ];
    const seen = await parse(withStart, args);
    expect(startRequestInput(pickStartOptions(seen?.options ?? {}, 'cli'))).toEqual({
      policy: 'auto-pr',
      untilReady: true,
      allowGateEdits: false,
      allowWorkflowEdits: false,
      llmPlanner: false,
      budget: { time: '2h', tokens: undefined, usd: undefined },
    });
    const plain = await parse(withStart, []);
    expect(startRequestInput(pickStartOptions(plain?.options ?? {}, 'cli'))).toMatchObject({
      untilReady: false,
      llmPlanner: true,
    });
  });
});

describe('choiceOption', () => {
  const method = (command: Command) =>
    command
      .addArgument(goalIdArgument())
      .addOption(choiceOption('--method <method>', 'how', ['merge', 'squash'], 'squash').default('merge'));

  it('passes a known value and the default', async () => {
    expect((await parse(method, ['--method', 'squash']))?.options.method).toBe('squash');
    expect(await parse(method, [])).toEqual({ ref: 'latest', options: { method: 'merge' } });
  });

  it('refuses an unknown value as it is parsed, naming the flag and showing an example', async () => {
    const refused = await parse(method, ['g-1', '--method', 'fast']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    const error = refused as UsageError;
    expect(error.message).toBe("--method: 'fast' is not one of merge, squash. Example: --method squash");
  });

  it('refuses a forge omk does not have', async () => {
    const forge = (command: Command) => command.addArgument(goalIdArgument()).addOption(forgeOption());
    const refused = await parse(forge, ['--forge', 'gitlab']).catch((error: unknown) => error);
    expect((refused as UsageError).message).toBe(
      "--forge: 'gitlab' is not one of auto, local, github. Example: --forge local",
    );
    expect((await parse(forge, ['--forge', 'github']))?.options.forge).toBe('github');
  });
});

describe('intervalOption', () => {
  const interval = (command: Command) =>
    command
      .addArgument(goalIdArgument())
      .addOption(intervalOption('how often', 500, 'omk goal watch --interval 500'));

  it('reads whole milliseconds from 100 up, and the default when left out', async () => {
    expect((await parse(interval, ['--interval', '100']))?.options.interval).toBe(100);
    expect((await parse(interval, []))?.options.interval).toBe(500);
  });

  it.each(['often', '99', '1.5', ''])("refuses '%s' as it is parsed, showing an example", async (value) => {
    const refused = await parse(interval, ['--interval', value]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).message).toBe(
      `--interval: '${value}' is not a whole number of milliseconds ≥ 100.`,
    );
    expect((refused as UsageError).hintIn(CLI_STEPS)).toBe('Example: omk goal watch --interval 500');
  });
});
