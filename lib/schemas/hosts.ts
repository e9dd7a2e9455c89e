import { z } from "zod";

/** A host name as operators write it: lowercase, like a DNS label (`hv-01`, `fra1-hv12`). */
export const hostNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*$/, {
    error: "may contain only lowercase letters, digits, '.' and '-', starting with a letter or digit",
  });

export const HOST_STATUSES = ["online", "offline"] as const;
export const LOCAL_HOST = "local";

/** simulated: Snapdeck's own image files, power actions change the recorded status; libvirt: real guests. */
export const HYPERVISORS = ["simulated", "libvirt"] as const;
export type Hypervisor = (typeof HYPERVISORS)[number];
/** A libvirt guest's state as the hypervisor reports it (`missing`: no such domain any more). */
export const HYPERVISOR_STATES = ["running", "shut_off", "paused", "crashed", "missing"] as const;
export const GUEST_AGENT_STATES = ["responding", "absent"] as const;
