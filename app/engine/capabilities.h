// SPDX-License-Identifier: GPL-2.0-or-later
// What the installed bpftrace and the running kernel can do.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>

#include "engine/launchcommand.h"

class Privilege;

/// `bpftrace --info` and `--version` in one structure.
struct BpfInfo
{
    QString version; ///< "0.23.2"
    QString kernelRelease;
    QMap<QString, QString> system; ///< "OS", "Arch", ...
    QMap<QString, QString> build; ///< "LLVM", "bfd", ...
    QMap<QString, bool> helpers; ///< kernel helpers: probe_read -> yes
    QMap<QString, bool> features; ///< kernel features
    QMap<QString, bool> mapTypes;
    QMap<QString, bool> probeTypes;
    /// Entries of the yes/no sections whose value is not yes/no ("Instruction limit" -> "1000000").
    QMap<QString, QString> values;

    bool isEmpty() const { return version.isEmpty() && helpers.isEmpty(); }
    QJsonObject toJson() const;
    static BpfInfo parse(const QString &infoText, const QString &versionText);
    /// "0.23.2" from "bpftrace v0.23.2"
    static QString parseVersion(const QString &versionText);
    /// -1, 0, 1 comparing dotted versions ("0.21" < "0.23.2").
    static int compareVersions(const QString &a, const QString &b);
};

/// A bpftrace builtin variable or function, for list_helpers and the editor's completion.
struct BuiltinHelp
{
    QString name; ///< "comm", "printf"
    QString kind; ///< "variable", "function", "map-function", "probe"
    QString signature; ///< "printf(fmt, ...)"
    QString summary; ///< one line
    QString since; ///< first bpftrace version that has it
    bool unsafe = false; ///< needs --unsafe
    QJsonObject toJson() const;
};

class Capabilities : public QObject
{
    Q_OBJECT
public:
    explicit Capabilities(QObject *parent = nullptr);
    ~Capabilities() override;

    void setPrivilege(const Privilege &privilege);
    /// How to run bpftrace on another target (TargetTransport::queryLauncher); replaces setPrivilege().
    void setLauncher(LaunchBuilder launcher);
    /// Runs `bpftrace --version` and `--info` asynchronously; emits ready() or failed().
    void refresh();
    bool isReady() const { return m_ready; }
    BpfInfo info() const { return m_info; }
    QString errorString() const { return m_error; }

    /// Our table of builtins, filtered to those the given bpftrace version has (all when empty).
    static QList<BuiltinHelp> builtins(const QString &bpftraceVersion = {});

Q_SIGNALS:
    void ready();
    void failed(const QString &message);

private:
    void runQuery(const QStringList &arguments, bool isVersion);
    void queryFinished();

    class Private;
    Private *d;
    bool m_ready = false;
    BpfInfo m_info;
    QString m_error;
    int m_pending = 0;
    QString m_versionText;
    QString m_infoText;
    QString m_infoError;
};
