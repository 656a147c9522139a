// SPDX-License-Identifier: GPL-2.0-or-later
// The bpftrace editor: highlighting, line numbers and the analyzer's findings underlined as you type.
#pragma once

#include "engine/scriptanalyzer.h"

#include <QPlainTextEdit>
#include <QPointer>
#include <QTimer>

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

class ScriptEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit ScriptEditor(QWidget *parent = nullptr);
    ~ScriptEditor() override;

    /// Adds the slow analysis (wildcard expansion, compile check) after typing pauses; without
    /// an analyzer only the instant text analysis runs.
    void setAnalyzer(ScriptAnalyzer *analyzer);
    /// Off for read-only views whose analysis comes from elsewhere (the approval panel).
    void setLiveAnalysis(bool enabled);
    ScriptAnalysis analysis() const { return m_analysis; }

    /// Diagnostics from elsewhere (a failed run's compile errors), shown with the analysis.
    void setExternalDiagnostics(const QList<Diagnostic> &diagnostics);
    /// Everything underlined now, in document order.
    QList<Diagnostic> markers() const { return m_markers; }
    /// The tooltip for a point in viewport coordinates (empty: none).
    QString markerToolTipAt(const QPoint &viewportPos) const;

    /// Inserts `probe\n{\n    \n}` on its own lines and puts the cursor inside the block.
    void insertProbeSkeleton(const QString &probe);
    /// Runs the instant analysis now and schedules the full one (tests; loading a file).
    void analyzeNow();

    int lineNumberAreaWidth() const;
    void paintLineNumbers(class QPaintEvent *event, QWidget *area);

Q_SIGNALS:
    void analysisChanged(const ScriptAnalysis &analysis);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void applyTheme();
    void updateLineNumberAreaWidth();
    void updateLineNumberArea(const QRect &rect, int dy);
    void startFullAnalysis();
    void setAnalysis(const ScriptAnalysis &analysis);
    void updateExtraSelections();

    QWidget *m_lineNumberArea;
    KSyntaxHighlighting::SyntaxHighlighter *m_highlighter;
    QPointer<ScriptAnalyzer> m_analyzer;
    bool m_liveAnalysis = true;
    QTimer m_instantTimer;
    QTimer m_fullTimer;
    quint64 m_generation = 0;
    ScriptAnalysis m_analysis;
    QList<Diagnostic> m_external;
    QList<Diagnostic> m_markers;
    QColor m_lineNumberColor;
    QColor m_currentLineNumberColor;
    QColor m_lineNumberBackground;
    QColor m_currentLineColor;
};
