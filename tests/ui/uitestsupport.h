// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the window's tests: an Engine that runs the fake bpftrace in temporary directories.
#pragma once

#include "../testpaths.h"
#include "engine/engine.h"
#include "engine/targets/target.h"

#include <QFile>
#include <QTemporaryDir>

#include <functional>
#include <memory>

struct FakeEngine
{
    QTemporaryDir dir;
    std::unique_ptr<Engine> engine;

    /// `configure` adjusts the configuration before the engine is made (targets, say).
    explicit FakeEngine(int approvalTimeoutSeconds = 300, const std::function<void(EngineConfig &)> &configure = {})
    {
        EngineConfig config;
        config.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/ui/fakes/fake-bpftrace");
        config.privilege = PrivilegeMode::Direct;
        config.stateDirectory = dir.path() + QStringLiteral("/state");
        config.cacheDirectory = dir.path() + QStringLiteral("/cache");
        config.loadHistory = false;
        config.approvalTimeoutSeconds = approvalTimeoutSeconds;
        if (configure)
            configure(config);
        engine = std::make_unique<Engine>(config);
    }
    Engine *operator->() const { return engine.get(); }
    Engine *get() const { return engine.get(); }
};

/// The fake bpftrace, for targets whose "remote" commands run here.
inline QString fakeBpftracePath()
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/ui/fakes/fake-bpftrace");
}

/// A stand-in for ssh in `dir` that runs the remote command here, as the host's login shell would
/// (its last argument), so that SSH targets work without a network. Returns the options that use
/// it; empty options when it could not be written.
inline TargetTransport::Options writeFakeSsh(const QString &dir)
{
    const QString path = dir + QStringLiteral("/ssh");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write("#!/bin/sh\nfor a in \"$@\"; do last=$a; done\nexec /bin/sh -c \"$last\"\n");
    file.close();
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    TargetTransport::Options options;
    options.sshProgram = path;
    options.controlDirectory = dir + QStringLiteral("/ctl");
    return options;
}

/// Configures `registry` with the real ssh and one target, "db9", that nothing answers: port 1 of
/// the loopback refuses at once, so its health check ends Unreachable.
inline bool addUnreachableTarget(TargetRegistry *registry, const QString &dir)
{
    TargetTransport::Options options;
    options.controlDirectory = dir + QStringLiteral("/ctl");
    options.connectTimeoutSeconds = 5;
    registry->setOptions(options);
    return registry->addTarget(*Target::parseWithName(QStringLiteral("db9=ssh://root@127.0.0.1:1")));
}

/// An SSH target (`[NAME=]URI`) whose bpftrace is the fake one, logged in as root.
inline Target fakeSshTarget(const QString &text)
{
    Target target = *Target::parseWithName(text);
    target.bpftracePath = fakeBpftracePath();
    target.privilege = RemotePrivilege::Login;
    return target;
}
