// SPDX-License-Identifier: GPL-2.0-or-later
// Installs TraceDesk's English plural forms at every application start. This file is compiled
// into each program and test that links tracedesk_engine (an INTERFACE source), so the start-up
// function below always runs; a static library would drop it as unreferenced.
#include <QCoreApplication>
#include <QTranslator>

namespace {
void installPluralForms()
{
    // tr("%n probes", "", n) without a translator shows "1 probes": the English forms are a
    // translation of their own, compiled from resources/translations/tracedesk_en.ts.
    auto *translator = new QTranslator(QCoreApplication::instance());
    if (translator->load(QStringLiteral(":/i18n/tracedesk_en.qm")))
        QCoreApplication::installTranslator(translator);
    else
        qWarning("tracedesk: the English plural forms (:/i18n/tracedesk_en.qm) are missing");
}
} // namespace

Q_COREAPP_STARTUP_FUNCTION(installPluralForms)
