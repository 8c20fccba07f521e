import { describe, expect, it } from 'vitest';
import { workflowCommandIn } from './workflow-command.js';

describe('workflowCommandIn', () => {
  it('finds a workflow command at the start or after whitespace, not a C++ scope', () => {
    expect(workflowCommandIn('::set-output name=x::y')).toBe('::set-output');
    expect(workflowCommandIn('fix it ::add-mask::secret')).toBe('::add-mask');
    expect(workflowCommandIn('x ::stop-commands::tok')).toBe('::stop-commands');
    expect(workflowCommandIn('fix std::vector::size and ::operator new')).toBeNull();
  });
});
