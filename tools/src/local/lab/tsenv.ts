// Environment shared by every tailscaled the lab starts (directly or through containerboot).
// Keeps all traffic on loopback and off the internet:
//   TS_NO_LOGS_NO_SUPPORT      no logtail uploads
//   TS_DISABLE_PORTMAPPER      no UPnP/NAT-PMP/PCP probing of the LAN gateway
//   TS_ASSUME_NETWORK_UP_FOR_TEST  don't wait for a "real" default route
//   TS_DEBUG_USE_DERP_HTTP     speak plain HTTP to headscale's embedded DERP on 127.0.0.1
//   TS_DEBUG_OMIT_LOCAL_ADDRS  never advertise this host's LAN addresses as endpoints; peers then
//                              only learn the STUN-discovered 127.0.0.1 endpoint (and DERP)
export const LAB_TAILSCALE_ENV: Readonly<Record<string, string>> = {
  TS_NO_LOGS_NO_SUPPORT: "true",
  TS_DISABLE_PORTMAPPER: "1",
  TS_ASSUME_NETWORK_UP_FOR_TEST: "1",
  TS_DEBUG_USE_DERP_HTTP: "1",
  TS_DEBUG_OMIT_LOCAL_ADDRS: "1",
};
