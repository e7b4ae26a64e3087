import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkModelUri,
  formatModelUri,
  isRegistryModelUri,
  parseModelSelector,
  parseModelUri,
  parseRegistryUri,
} from '../src/index.ts';

const s3 = { kind: 's3', bucket: 'glyco-prod-models', prefix: 'models' };

describe('parseModelUri', () => {
  it.each([
    [
      's3://glyco-prod-models/models/pima-diabetes@production',
      { registry: s3, kind: 'alias', alias: 'production' },
    ],
    [
      's3://glyco-prod-models/models/pima-diabetes/1.2.0',
      { registry: s3, kind: 'version', version: '1.2.0' },
    ],
    [
      's3://glyco-prod-models/models/pima-diabetes/1.2.0/',
      { registry: s3, kind: 'version', version: '1.2.0' },
    ],
    [
      'file:///srv/models/pima-diabetes@staging',
      { registry: { kind: 'file', dir: '/srv/models' }, kind: 'alias', alias: 'staging' },
    ],
    [
      '/srv/models/pima-diabetes/2026.11.23-1',
      { registry: { kind: 'file', dir: '/srv/models' }, kind: 'version', version: '2026.11.23-1' },
    ],
    [
      'models/pima-diabetes@production',
      { registry: { kind: 'file', dir: join(process.cwd(), 'models') }, kind: 'alias', alias: 'production' },
    ],
    [
      'pima-diabetes@production',
      { registry: { kind: 'file', dir: process.cwd() }, kind: 'alias', alias: 'production' },
    ],
  ])('%s', (uri, expected) => {
    expect(parseModelUri(uri)).toEqual({ name: 'pima-diabetes', ...expected });
  });

  it.each([
    ['s3://glyco-prod-models/pima-diabetes@production', /expected s3:\/\/<bucket>\/<prefix>/],
    ['s3://pima-diabetes@production', /invalid model URI/],
    ['s3://glyco-prod-models/models/pima-diabetes', /invalid version "pima-diabetes"|expected s3/],
    ['s3://glyco-prod-models/models/Pima@production', /invalid model name "Pima"/],
    ['s3://glyco-prod-models/models/pima-diabetes@Prod!', /invalid alias "Prod!"/],
    ['s3://glyco-prod-models/models/pima-diabetes/aliases', /"aliases" is reserved/],
    ['s3://glyco-prod-models/models/pima-diabetes/runs', /"runs" is reserved/],
    ['file:///srv/models/pima-diabetes/datasets', /"datasets" is reserved/],
    ['gs://bucket/models/pima-diabetes@production', /unsupported registry URI "gs:\/\/bucket\/models"/],
    ['file://host/models/pima-diabetes@production', /invalid file URI/],
    ['models/pima-diabetes/../1.0.0', /invalid version|invalid model name/],
  ])('refuses %s', (uri, message) => {
    expect(() => parseModelUri(uri)).toThrow(message);
  });

  it('formats a reference back to the URI it was parsed from', () => {
    for (const uri of ['s3://b-1/models/pima-diabetes@production', '/srv/models/pima-diabetes/1.0.0']) {
      expect(formatModelUri(parseModelUri(uri))).toBe(uri);
    }
  });
});

describe('parseRegistryUri', () => {
  it('accepts s3://<bucket>/<prefix>, file URIs and paths', () => {
    expect(parseRegistryUri('s3://glyco-prod-models/models/')).toEqual(s3);
    expect(parseRegistryUri('s3://glyco-prod-models/teams/risk/models')).toEqual({
      ...s3,
      prefix: 'teams/risk/models',
    });
    expect(parseRegistryUri('file:///srv/my%20models')).toEqual({ kind: 'file', dir: '/srv/my models' });
    expect(parseRegistryUri('./models')).toEqual({ kind: 'file', dir: join(process.cwd(), 'models') });
  });

  it.each([
    ['', /empty registry URI/],
    ['s3://glyco-prod-models', /expected s3:\/\/<bucket>\/<prefix>, e\.g\. s3:\/\/my-bucket\/models/],
    ['s3://Bad_Bucket/models', /invalid S3 registry URI/],
    ['s3://bucket/a//b', /invalid S3 registry URI/],
    ['s3:/bucket/models', /invalid S3 registry URI/],
    ['https://example.com/models', /unsupported registry URI/],
  ])('refuses %j', (uri, message) => {
    expect(() => parseRegistryUri(uri)).toThrow(message);
  });
});

describe('parseModelSelector', () => {
  it('reads a model by alias or by version, without a registry', () => {
    expect(parseModelSelector('pima-diabetes@production')).toEqual({
      name: 'pima-diabetes',
      kind: 'alias',
      alias: 'production',
    });
    expect(parseModelSelector('pima-diabetes/1.0.0')).toEqual({
      name: 'pima-diabetes',
      kind: 'version',
      version: '1.0.0',
    });
  });

  it.each([
    ['pima-diabetes@1.0.0', /invalid alias "1.0.0"/],
    ['pima-diabetes', /expected <name>@<alias> or <name>\/<version>/],
    ['Pima/1.0.0', /invalid model name "Pima"/],
  ])('refuses %s', (text, message) => {
    expect(() => parseModelSelector(text)).toThrow(message);
  });
});

describe('a MODEL_URI', () => {
  it('names a registry model on S3, or by an alias in a local registry; anything else is a directory', () => {
    expect(isRegistryModelUri('s3://b-1/models/pima-diabetes/1.0.0')).toBe(true);
    expect(isRegistryModelUri('models/pima-diabetes@staging/')).toBe(true);
    expect(isRegistryModelUri('models/pima-diabetes/1.0.0')).toBe(false);
    expect(isRegistryModelUri('file:///srv/models/pima-diabetes')).toBe(false);
  });

  it('may be a directory, a file:// URL or a registry model that parses, and nothing else', () => {
    for (const uri of ['models/pima-diabetes', 'file:///srv/m', 's3://b-1/models/pima-diabetes@production']) {
      expect(() => checkModelUri(uri)).not.toThrow();
    }
    expect(() => checkModelUri('https://example.com/model')).toThrow(
      'scheme "https://" is not supported; use s3://<bucket>/<prefix>/<name>@<alias> (or …/<name>/<version>), a file:// URL or a directory path',
    );
    expect(() => checkModelUri('s3://b-1/pima-diabetes@production')).toThrow(
      /expected s3:\/\/<bucket>\/<prefix>/,
    );
  });
});
