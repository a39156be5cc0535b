import { splitFixText } from './fixText';

describe('splitFixText', () => {
  it('splits commands written between backticks from the prose', () => {
    expect(
      splitFixText(
        'Raise the limit: `aws ecs update-service --desired-count 3`, then wait.',
      ),
    ).toEqual([
      { kind: 'text', text: 'Raise the limit: ' },
      { kind: 'command', text: 'aws ecs update-service --desired-count 3' },
      { kind: 'text', text: ', then wait.' },
    ]);
  });

  it('keeps prose without commands whole', () => {
    expect(splitFixText('Open the run.')).toEqual([
      { kind: 'text', text: 'Open the run.' },
    ]);
  });

  it('shows text with an unmatched backtick as written', () => {
    expect(splitFixText('a `b')).toEqual([{ kind: 'text', text: 'a `b' }]);
  });
});
