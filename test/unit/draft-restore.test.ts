import { describe, expect, it } from 'vitest';
import { restoreDraftText } from '../../src/app/draft-restore.ts';

describe('restoring a draft after a reload', () => {
  it('fills what the user has not touched yet', () => {
    expect(restoreDraftText({ prompt: '', rewriterChoice: null }, { prompt: 'saved prompt', rewriterId: 'static-defence' })).toEqual({
      prompt: 'saved prompt',
      rewriterChoice: 'static-defence',
    });
  });

  it('a rewriter picked before the draft arrived wins over the draft’s', () => {
    expect(restoreDraftText({ prompt: '', rewriterChoice: 'test/tiny-smolvlm' }, { prompt: '', rewriterId: 'static-defence' })).toEqual({
      prompt: '',
      rewriterChoice: 'test/tiny-smolvlm',
    });
  });

  it('a prompt typed before the draft arrived wins over the draft’s', () => {
    expect(restoreDraftText({ prompt: 'typed', rewriterChoice: null }, { prompt: 'saved', rewriterId: null })).toEqual({
      prompt: 'typed',
      rewriterChoice: null,
    });
  });
});
