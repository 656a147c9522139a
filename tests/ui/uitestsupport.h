// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the window's tests: an Engine that runs the fake bpftrace in temporary directories.
#pragma once

#include "engine/engine.h"

#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

struct FakeEngine
{
    QTemporaryDir dir;
    std::unique_ptr<Engine> engine;

    explicit FakeEngine(int approvalTimeoutSeconds = 300)
    {
        EngineConfig config;
        config.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/ui/fakes/fake-bpftrace");
        config.privilege = PrivilegeMode::Direct;
        config.stateDirectory = dir.path() + QStringLiteral("/state");
        config.cacheDirectory = dir.path() + QStringLiteral("/cache");
        config.loadHistory = false;
        config.approvalTimeoutSeconds = approvalTimeoutSeconds;
        engine = std::make_unique<Engine>(config);
    }
    Engine *operator->() const { return engine.get(); }
    Engine *get() const { return engine.get(); }
};

/// Keeps QSettings and XDG paths of a test away from the person's own configuration.
inline void useTestPaths()
{
    QStandardPaths::setTestModeEnabled(true);
}
