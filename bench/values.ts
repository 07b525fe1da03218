// Generated values for the scale benchmarks: T tailnets x S services.

export interface Size {
  tailnets: number;
  services: number;
}

export const sizeName = (s: Size) => `${s.tailnets}x${s.services}`;

export function scaleValues(size: Size, extra: (t: number, s: number) => object = () => ({})): object {
  return {
    tailnets: Array.from({ length: size.tailnets }, (_, t) => ({
      name: `tn${String(t).padStart(2, "0")}`,
      authKey: `tskey-auth-bench-${t}`,
      services: Array.from({ length: size.services }, (_, s) => ({
        host: `svc${s}.tn${t}.ts.net`,
        port: 1000 + s,
        ...extra(t, s),
      })),
    })),
  };
}
