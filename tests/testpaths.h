// SPDX-License-Identifier: GPL-2.0-or-later
// Where a test process keeps QSettings and the XDG locations: away from the person's own, and
// away from every other test process.
#pragma once

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtGlobal>

/// Qt's test mode writes under $HOME/.qttest, one place for all runs of a test: two runs of
/// tst_mainwindow at once (a CI clone's beside a developer's) read each other's remembered
/// layout. So each process gets a home of its own, removed when it exits. Call it before the
/// first QSettings or QStandardPaths lookup.
inline void useTestPaths()
{
    static QTemporaryDir home;
    if (!home.isValid())
        qFatal("could not make a temporary home for the test: %s", qPrintable(home.errorString()));
    qputenv("HOME", QFile::encodeName(home.path()));
    QStandardPaths::setTestModeEnabled(true);
}
