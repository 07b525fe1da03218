// Size limits that only the API server would otherwise report: a ConfigMap or Secret holds at most 1 MiB of
// data. Checked after the cross-field rules pass, with the same message as templates/_validate.tpl
// ("tailscale-egress.validate.sizes"), so whatever `helm template` accepts, the API server accepts.
import type { Values } from "../generated/values.ts";
import { MAX_OBJECT_DATA_BYTES } from "../model/constants.ts";
import { dataBytes, envoyConfigMapBytes, envoyConfigMaps } from "../plan/configmap.ts";
import { planEnvoy, type EnvoyPlan } from "../plan/envoy.ts";
import { fullname } from "../plan/names.ts";
import type { RuleError } from "./rules.ts";

/** `envoy` is the values' Envoy plan, when the caller has made it already. */
export function checkSizes(
  values: Values,
  release: string,
  envoy: EnvoyPlan = planEnvoy(values, release),
): RuleError[] {
  for (const cm of envoyConfigMaps(envoy.files)) {
    const bytes = dataBytes(cm.data);
    if (bytes <= MAX_OBJECT_DATA_BYTES) continue;
    const plan = envoy.ports;
    const services = plan.services.length;
    const saving = (() => {
      if (!values.envoy.accessLog) return "envoy.accessLog is already false";
      const noLog = { ...values, envoy: { ...values.envoy, accessLog: false } };
      const without = envoyConfigMapBytes(noLog, release)[cm.suffix] ?? bytes;
      if (without === bytes) return "envoy.accessLog does not change its size";
      return `envoy.accessLog: false would save ${bytes - without} bytes (${without} left)`;
    })();
    const fit = Math.floor((services * MAX_OBJECT_DATA_BYTES) / bytes);
    return [
      {
        path: "tailnets",
        message:
          `the Envoy ConfigMap ${fullname(values, release)}-${cm.suffix} would hold ${bytes} bytes of data, over the ${MAX_OBJECT_DATA_BYTES} bytes that the Kubernetes API accepts ` +
          `in one ConfigMap (${services} services in ${plan.tailnets.length} tailnets; about ${fit} such services fit). ` +
          `Put fewer services in this release, or split the tailnets across releases; ${saving}`,
      },
    ];
  }
  // The chart's Secret holds the inline auth keys and OAuth client credentials.
  const inline = (tn: Values["tailnets"][number]) => [tn.authKey, tn.oauth?.clientId, tn.oauth?.clientSecret];
  const secret = values.tailnets.reduce(
    (n, tn) => n + inline(tn).reduce((m, v) => m + (v ? Buffer.byteLength(v) : 0), 0),
    0,
  );
  if (secret > MAX_OBJECT_DATA_BYTES) {
    return [
      {
        path: "tailnets",
        message: `the auth-key Secret would hold ${secret} bytes of data, over the ${MAX_OBJECT_DATA_BYTES} bytes that the Kubernetes API accepts in one Secret; give the keys with existingSecret instead`,
      },
    ];
  }
  return [];
}
