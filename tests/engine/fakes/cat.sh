#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace for the ingest benchmark: writes a prepared -f json capture ($FAKE_CAT_FILE).
exec cat "$FAKE_CAT_FILE"
