#!/usr/bin/env bash
# Print the address the app listens on: loopback unless APP_ADDRESS names another. Serving
# on a network shows the data on screen (and the files under the data roots) to everyone
# who can reach the machine, with no login: say so, loudly, on standard error.
set -euo pipefail
address="${APP_ADDRESS:-127.0.0.1}"
case "$address" in
  127.0.0.1|localhost|::1) ;;
  *)
    {
      echo "WARNING: serving the app on $address (APP_ADDRESS), not only on this machine."
      echo "WARNING: anyone who can reach it on that network sees the analyses and can start builds; there is no login."
    } >&2
    ;;
esac
echo "$address"
