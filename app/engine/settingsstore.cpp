// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/settingsstore.h"

#include "engine/targets/targetregistry.h"

#include <QLoggingCategory>
#include <QSettings>

Q_DECLARE_LOGGING_CATEGORY(lcTargets)

namespace {
template<typename T> void readInt(const QSettings &settings, const IntSetting &setting, T *target)
{
    bool ok = false;
    const qint64 value = settings.value(setting.key).toLongLong(&ok);
    if (ok && setting.accepts(value))
        *target = T(value);
}
} // namespace

void SettingsStore::read(const QSettings &settings, EngineConfig *config)
{
    if (const auto mode = privilegeModeFromName(settings.value(Setting::privilege).toString()))
        config->privilege = *mode;
    const QString bpftrace = settings.value(Setting::bpftracePath).toString();
    if (!bpftrace.isEmpty())
        config->bpftracePath = bpftrace;
    readInt(settings, Setting::approvalTimeoutSeconds, &config->approvalTimeoutSeconds);
    readInt(settings, Setting::maxConcurrentRuns, &config->limits.maxConcurrentRuns);
    readInt(settings, Setting::maxLinesKept, &config->limits.maxLinesKept);
    readInt(settings, Setting::maxLinesPerSecond, &config->limits.maxLinesPerSecond);
    readInt(settings, Setting::defaultClientTimeoutSeconds, &config->limits.defaultClientTimeoutSeconds);
    readInt(settings, Setting::maxTimeoutSeconds, &config->limits.maxTimeoutSeconds);
    readInt(settings, Setting::historyMaxBytes, &config->historyMaxBytes);
    if (settings.contains(Setting::httpEnabled))
        config->endpoint.httpEnabled = settings.value(Setting::httpEnabled).toBool();
    readInt(settings, Setting::httpPort, &config->endpoint.httpPort);
    if (settings.contains(Setting::clientsReadPersonRuns))
        config->clientsReadPersonRuns = settings.value(Setting::clientsReadPersonRuns).toBool();
    const QString address = settings.value(Setting::httpAddress).toString();
    if (!address.isEmpty())
        config->endpoint.httpAddress = address;
    // Targets are the person's own list, edited in the file (or added with --target).
    QStringList targetErrors;
    config->targets = TargetRegistry::readTargets(settings, &targetErrors);
    for (const QString &error : std::as_const(targetErrors))
        qCWarning(lcTargets) << error;
    config->targetGroups = TargetRegistry::readGroups(settings);
    config->targetOptions = TargetRegistry::readOptions(settings);
}

EngineConfig SettingsStore::read(const QSettings &settings)
{
    EngineConfig config;
    read(settings, &config);
    return config;
}

EngineConfig SettingsStore::readForEditing(const QSettings &settings, const EngineConfig &running)
{
    EngineConfig config = read(settings);
    config.limits = running.limits;
    config.approvalTimeoutSeconds = running.approvalTimeoutSeconds;
    config.clientsReadPersonRuns = running.clientsReadPersonRuns;
    return config;
}

void SettingsStore::write(QSettings &settings, const EngineConfig &config)
{
    settings.setValue(Setting::privilege, privilegeModeName(config.privilege));
    settings.setValue(Setting::approvalTimeoutSeconds.key, config.approvalTimeoutSeconds);
    settings.setValue(Setting::maxConcurrentRuns.key, config.limits.maxConcurrentRuns);
    settings.setValue(Setting::maxLinesKept.key, config.limits.maxLinesKept);
    settings.setValue(Setting::maxLinesPerSecond.key, config.limits.maxLinesPerSecond);
    settings.setValue(Setting::defaultClientTimeoutSeconds.key, config.limits.defaultClientTimeoutSeconds);
    settings.setValue(Setting::maxTimeoutSeconds.key, config.limits.maxTimeoutSeconds);
    settings.setValue(Setting::httpEnabled, config.endpoint.httpEnabled);
    settings.setValue(Setting::httpPort.key, config.endpoint.httpPort);
    settings.setValue(Setting::clientsReadPersonRuns, config.clientsReadPersonRuns);
}

bool SettingsStore::needsRestart(const EngineConfig &from, const EngineConfig &to)
{
    return from.privilege != to.privilege || from.endpoint.httpEnabled != to.endpoint.httpEnabled
        || from.endpoint.httpPort != to.endpoint.httpPort;
}
