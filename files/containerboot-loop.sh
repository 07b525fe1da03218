#!/bin/sh
# The main process of each Tailscale container (the chart runs it with `/bin/sh -c <this> ts-<tailnet>`, its
# comment lines dropped; $0 names the container). It runs containerboot and, when containerboot exits, starts
# it again inside this container after a backoff (1, 2, 4, ... 30 s; back to 1 s after a run of 60 s or more).
# The container keeps running, so the pod stays Ready and the other tailnets keep serving: a container that
# exits makes the whole pod NotReady until the kubelet has restarted it.
# containerboot starts tailscaled in its own process group and does not stop it when it is killed, so a
# tailscaled left behind is stopped (SIGTERM, SIGKILL after 10 s) before containerboot starts again. killall
# sees only this container's processes: each container of the pod has its own PID namespace.
# SIGTERM or SIGINT (pod termination) goes to containerboot, which logs out and stops tailscaled; then exit 0.
# POSIX sh: busybox ash (the tailscale image) and dash.
# shellcheck disable=SC2317 # stop() is called by the trap
stop() { kill -TERM "$!" 2>/dev/null; wait "$!" 2>/dev/null; exit 0; }
trap stop TERM INT
delay=1
while :; do
  start=$(date +%s)
  containerboot &
  # 2>/dev/null: not the shell's own "Killed" line when containerboot was killed.
  wait "$!" 2>/dev/null
  code=$?
  [ $(($(date +%s) - start)) -lt 60 ] || delay=1
  echo "$0: containerboot exited (code $code); restarting it in ${delay}s; the other tailnets are not affected" >&2
  killall -q tailscaled
  i=0
  while killall -q -0 tailscaled; do
    i=$((i + 1))
    [ "$i" -lt 10 ] || killall -q -KILL tailscaled
    sleep 1
  done
  sleep "$delay" &
  wait "$!"
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
