// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/targets/targethealth.h"

#include "engine/capabilities.h"
#include "engine/queryprocess.h"

using namespace Qt::StringLiterals;

QString TargetHealth::stateName(State state)
{
    switch (state) {
    case State::Unknown:
        return u"unknown"_s;
    case State::Checking:
        return u"checking"_s;
    case State::Ready:
        return u"ready"_s;
    case State::Degraded:
        return u"degraded"_s;
    case State::Unreachable:
        return u"unreachable"_s;
    }
    return {};
}

TargetHealth TargetHealth::parse(const QueryResult &result, RemotePrivilege privilege)
{
    TargetHealth h;
    h.checkedAt = QDateTime::currentDateTimeUtc();
    bool marker = false;
    bool missing = false;
    QString versionLine;
    const QList<QByteArray> lines = result.out.split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line == "tracedesk-health=1"_L1)
            marker = true;
        else if (line.startsWith("uid="_L1))
            h.uid = line.mid(4).toInt();
        else if (line == "sudo=yes"_L1)
            h.sudoWorks = true;
        else if (line.startsWith("version="_L1))
            versionLine = line.mid(8);
        else if (line == "bpftrace=missing"_L1)
            missing = true;
    }
    if (!result.started) {
        h.state = State::Unreachable;
        h.error = u"cannot start: %1"_s.arg(result.startError);
        return h;
    }
    if (!marker) {
        // ssh exits 255 for its own failures and says why on stderr.
        h.state = State::Unreachable;
        h.error = result.timedOut ? u"no answer in time"_s : result.failureText();
        return h;
    }
    h.reachable = true;
    h.bpftraceFound = !missing && !versionLine.isEmpty();
    h.bpftraceVersion = BpfInfo::parseVersion(versionLine);
    const bool root = h.uid == 0;
    h.privileged = root || (privilege != RemotePrivilege::Login && h.sudoWorks);
    if (privilege == RemotePrivilege::Sudo && !root)
        h.privileged = h.sudoWorks;
    if (!h.bpftraceFound && !missing && result.timedOut) {
        // Reached, but `bpftrace --version` (or sudo) hung until the time limit: not "missing".
        h.timedOut = true;
        h.state = State::Degraded;
        h.error = u"bpftrace --version did not answer in time there"_s;
    } else if (!h.bpftraceFound) {
        h.state = State::Degraded;
        h.error = u"bpftrace is not installed (or not on PATH) there"_s;
    } else if (h.bpftraceVersion.isEmpty()) {
        h.state = State::Degraded;
        h.error = u"bpftrace --version said: %1"_s.arg(versionLine.left(200));
    } else if (!h.privileged) {
        h.state = State::Degraded;
        h.error = privilege == RemotePrivilege::Login
            ? u"logged in as uid %1, not root, and sudo is not to be used for this target"_s.arg(h.uid)
            : u"logged in as uid %1, not root, and `sudo -n` needs a password"_s.arg(h.uid);
    } else {
        h.state = State::Ready;
    }
    return h;
}

QString TargetHealth::summary() const
{
    switch (state) {
    case State::Unknown:
    case State::Checking:
        return stateName(state);
    case State::Unreachable:
        return u"unreachable: "_s + error;
    case State::Degraded:
    case State::Ready:
        break;
    }
    QString text = stateName(state);
    if (!bpftraceVersion.isEmpty())
        text += u", bpftrace "_s + bpftraceVersion;
    if (uid == 0)
        text += u", root by login"_s;
    else if (privileged)
        text += u", root by sudo -n"_s;
    if (!error.isEmpty())
        text += u": "_s + error;
    return text;
}

QJsonObject TargetHealth::toJson() const
{
    QJsonObject o { { u"state"_s, stateName(state) }, { u"reachable"_s, reachable }, { u"privileged"_s, privileged } };
    if (!bpftraceVersion.isEmpty())
        o.insert(u"bpftrace_version"_s, bpftraceVersion);
    if (uid >= 0)
        o.insert(u"uid"_s, uid);
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    if (checkedAt.isValid())
        o.insert(u"checked_at"_s, checkedAt.toString(Qt::ISODateWithMs));
    return o;
}
