// sls-ack: nothing to set but its name.

import { unversioned, nodeSpec } from "./spec";

export const SLS_ACK = nodeSpec({
  type: "sls-ack",
  props: {},
  steps: [unversioned],
});
