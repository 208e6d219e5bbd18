// What a saved model may ask of the machine before anything is read or allocated: bytes on disk, weight and
// activation elements, layers. A model.json is data from anywhere (probing one is allowed in an untrusted
// workspace), so every size it declares is checked against these, with arithmetic that cannot overflow
// (src/engine/savedModel/budgets.ts). The CLI reads them too, to check report paths before a run.
export const BUDGET = {
  /** model.json itself. */
  modelJsonBytes: 32 * 2 ** 20,
  /** All weight shards together, and so all weights (1 GiB). */
  weightBytes: 2 ** 30,
  /** Weight elements the model may build (the same 1 GiB as float32). */
  weightElements: 2 ** 28,
  /** Elements of one forward pass of the probe batch: every layer's output summed (512 MiB as float32). */
  activationElements: 2 ** 27,
  /** Layers in the topology, nested models included. */
  layers: 10_000,
  /** The --data file. */
  dataBytes: 32 * 2 ** 20,
} as const;
