import { describe, expect, it } from 'vitest';
import { inspectLines } from './inspect-lines.js';

describe('inspectLines', () => {
  it('gives every leaf its full path', () => {
    expect(inspectLines({ HostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'], Privileged: false, CapAdd: null } })).toEqual([
      'HostConfig.Binds[0] = "/var/run/docker.sock:/var/run/docker.sock"',
      'HostConfig.Privileged = false',
      'HostConfig.CapAdd = null',
    ]);
  });

  it('quotes keys that are not plain identifiers, such as label names', () => {
    expect(inspectLines({ Config: { Labels: { 'com.example.x': 'a', '"><svg>': 'b' } } })).toEqual([
      'Config.Labels["com.example.x"] = "a"',
      'Config.Labels["\\"><svg>"] = "b"',
    ]);
  });

  it('keeps empty containers visible', () => {
    expect(inspectLines({ Mounts: [], Labels: {} })).toEqual(['Mounts = []', 'Labels = {}']);
  });
});
