import type { Attribute, Node, Tensor } from './model.ts';

/** Collects nodes and constant tensors, naming each node's output after the step it computes. */
export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];

  constant(name: string, type: Tensor['type'], dims: readonly number[], values: readonly number[]): string {
    if (this.initializers.some((tensor) => tensor.name === name))
      throw new Error(`constant ${name} defined twice`);
    this.initializers.push({ name, type, dims, values });
    return name;
  }

  /** Adds one node; `output` names its result (also the node's name). */
  op(
    opType: string,
    inputs: readonly string[],
    output: string,
    attributes?: Record<string, Attribute>,
    domain?: string,
  ): string {
    if (this.nodes.some((node) => node.outputs.includes(output)))
      throw new Error(`value ${output} defined twice`);
    this.nodes.push({
      opType,
      name: output,
      inputs,
      outputs: [output],
      ...(attributes && { attributes }),
      ...(domain && { domain }),
    });
    return output;
  }
}

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  strings: (value: readonly string[]): Attribute => ({ kind: 'strings', value }),
  doubles: (name: string, value: readonly number[]): Attribute => ({
    kind: 'tensor',
    value: { name, type: 'double', dims: [value.length], values: value },
  }),
};
