import { InputError } from '@backstage/errors';
import { describeViolation, refusal, TerraformPolicyError } from './violations';

describe('violations', () => {
  it('describes a violation with its line when it has one', () => {
    expect(
      describeViolation({
        file: 'main.tf',
        line: 3,
        block: 'cloud',
        reason: 'is refused',
      }),
    ).toBe('main.tf:3: cloud is refused');
    expect(
      describeViolation({
        file: 'a.tf',
        block: 'symlink',
        reason: 'is refused',
      }),
    ).toBe('a.tf: symlink is refused');
  });

  it('throws every violation in one InputError', () => {
    const violations = [
      { file: 'a.tf', line: 1, block: 'x', reason: 'is refused' },
      { file: 'b.tf', block: 'y', reason: 'is refused' },
    ];
    const error = new TerraformPolicyError(violations);
    expect(error).toBeInstanceOf(InputError);
    expect(error.violations).toBe(violations);
    expect(error.message).toBe(
      'The Terraform configuration was refused before init: a.tf:1: x is refused; b.tf: y is refused',
    );
  });

  it("places a refusal at the line of the block's header", () => {
    const parsed = {
      file: 'main.tf',
      directory: '/config',
      text: '\ncloud {\n}\n',
      body: {},
    };
    expect(refusal(parsed, 'cloud', /^cloud/m, 'is refused')).toEqual({
      file: 'main.tf',
      line: 2,
      block: 'cloud',
      reason: 'is refused',
    });
  });
});
