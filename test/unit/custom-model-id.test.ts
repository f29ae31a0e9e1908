import { describe, expect, it } from 'vitest';
import { customIdProblem, CUSTOM_MODEL_CHOICE, resolveRewriterChoice } from '../../src/app/rewriter-choice.ts';
import { customModelFor, findModel, MODEL_CATALOG, parseCustomModelId } from '../../src/core/model-catalog.ts';
import { DEFAULT_MODEL_SOURCE, sourceForModel } from '../../src/core/model-source.ts';

describe('parseCustomModelId', () => {
  it.each([
    ['my-org/my-rewriter', { id: 'my-org/my-rewriter', siteFolderOnly: false }],
    ['  HuggingFaceTB/SmolVLM-256M-Instruct ', { id: 'HuggingFaceTB/SmolVLM-256M-Instruct', siteFolderOnly: false }],
    ['models/test/tiny-smolvlm', { id: 'test/tiny-smolvlm', siteFolderOnly: true }],
    ['/models/test/tiny-smolvlm', { id: 'test/tiny-smolvlm', siteFolderOnly: true }],
    // An org called "models" on the hub is still a Hub id.
    ['models/rewriter', { id: 'models/rewriter', siteFolderOnly: false }],
  ])('reads %j', (typed, expected) => {
    expect(parseCustomModelId(typed)).toEqual(expected);
  });

  it.each(['', 'name-only', 'a/b/c', 'models/../secret/x', 'models/a/b/c', '/a/b', 'org/na me', 'https://huggingface.co/org/name'])(
    'refuses %j',
    (typed) => {
      expect(parseCustomModelId(typed)).toBeNull();
    },
  );
});

describe('a custom model', () => {
  it('typed as a models/ folder loads only from this site, with the catalog record where the id is one', () => {
    const model = customModelFor({ id: 'test/tiny-smolvlm', siteFolderOnly: true }, 'lfm2-vl');
    expect(model).toEqual({ ...findModel('test/tiny-smolvlm'), siteFolderOnly: true });
    expect(sourceForModel(model, DEFAULT_MODEL_SOURCE)).toEqual({ localPath: '/models/', hubUrl: null });
    // Even with the site folder switched off in the settings: that folder is what was typed.
    expect(sourceForModel(model, { localPath: null, hubUrl: 'https://mirror.example/' })).toEqual({ localPath: '/models/', hubUrl: null });
  });

  it('typed as a Hub id keeps the source as set', () => {
    const model = customModelFor({ id: 'my-org/my-rewriter', siteFolderOnly: false }, 'qwen3.5');
    expect(model).toMatchObject({ id: 'my-org/my-rewriter', family: 'qwen3.5', label: 'my-org/my-rewriter' });
    expect(model.siteFolderOnly).toBeUndefined();
    expect(sourceForModel(model, DEFAULT_MODEL_SOURCE)).toBe(DEFAULT_MODEL_SOURCE);
  });

  it('resolves from the picker, and only a malformed id gets a message', () => {
    const resolved = resolveRewriterChoice(CUSTOM_MODEL_CHOICE, { id: 'models/test/tiny-smolvlm', family: 'smolvlm' }, MODEL_CATALOG);
    expect(resolved).toMatchObject({ kind: 'model', model: { id: 'test/tiny-smolvlm', siteFolderOnly: true } });
    expect(customIdProblem(CUSTOM_MODEL_CHOICE, { id: 'models/test/tiny-smolvlm', family: 'smolvlm' })).toBeNull();
    expect(customIdProblem(CUSTOM_MODEL_CHOICE, { id: '/models/test/tiny-smolvlm', family: 'smolvlm' })).toBeNull();
    expect(customIdProblem(CUSTOM_MODEL_CHOICE, { id: 'a/b/c', family: 'smolvlm' })).toMatch(/models\/org\/name/);
    expect(resolveRewriterChoice(CUSTOM_MODEL_CHOICE, { id: 'a/b/c', family: 'smolvlm' }, MODEL_CATALOG)).toBeNull();
  });
});
