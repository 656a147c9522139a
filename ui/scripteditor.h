// SPDX-License-Identifier: GPL-2.0-or-later
// The bpftrace editor: highlighting, line numbers and the analyzer's findings underlined as you type;
// completion, hover help, find and replace, auto-indent and the other editing comforts.
#pragma once

#include "engine/scriptanalyzer.h"

#include <QPlainTextEdit>
#include <QPointer>
#include <QTimer>

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}
class Capabilities;
class FindReplaceBar;
class GoToLineBar;
class ProbeCatalog;
class QAction;
class QLabel;
class ScriptCompleter;

class ScriptEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit ScriptEditor(QWidget *parent = nullptr);
    ~ScriptEditor() override;

    /// Adds the slow analysis (wildcard expansion, compile check) after typing pauses; without
    /// an analyzer only the instant text analysis runs.
    void setAnalyzer(ScriptAnalyzer *analyzer);
    /// Checks the script where it will run instead of with setAnalyzer()'s: each (target,
    /// analyzer) judges it on its target, several (a group) as a fleet request is judged (the
    /// worst of them, every target's errors under its name), and the status line starts with
    /// "On WHERE: ". An empty list checks with setAnalyzer()'s again.
    void setTargetAnalyzers(const QString &where, const QList<std::pair<QString, ScriptAnalyzer *>> &analyzers);
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

    /// Where completion and hover help find probes and their arguments, and which builtins the
    /// installed bpftrace has.
    void setCatalog(ProbeCatalog *catalog);
    void setCapabilities(Capabilities *capabilities);
    ScriptCompleter *completer() const { return m_completer; }
    FindReplaceBar *findBar() const { return m_findBar; }
    GoToLineBar *goToLineBar() const { return m_goToLineBar; }

    /// Undo, redo, cut, copy, paste, select all, find, replace, go to line, comment and complete,
    /// with their standard shortcuts (separators included), for the window's Edit menu. Their
    /// shortcuts work while the editor or its bars have the focus.
    QList<QAction *> editActions() const { return m_editActions; }

    /// Comments out the lines of the selection (or the cursor's line) with "// ", or uncomments
    /// them when all of them are comments.
    void toggleComment();
    /// Puts the cursor on a 1-based line (and column) and shows it.
    void goToLine(int line, int column = 0);
    void openFind();
    void openReplace();
    void openGoToLine();

    /// The error to fix first (the earliest of the analysis and the external ones); false when
    /// there is none.
    bool firstError(Diagnostic *error) const;
    /// The line under the editor: the first error and its line ("line 4: Unknown function: histo"),
    /// then the analysis summary; first, where it was checked, when not here ("On db1: ").
    QString statusLine() const;
    /// Keeps `label` showing statusLine(); clicking its error goes to the error's line.
    void setStatusLabel(QLabel *label);

    /// The hover help for a point in viewport coordinates (empty: none).
    QString helpToolTipAt(const QPoint &viewportPos) const;

    int lineNumberAreaWidth() const;
    void paintLineNumbers(class QPaintEvent *event, QWidget *area);

Q_SIGNALS:
    void analysisChanged(const ScriptAnalysis &analysis);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    void createEditActions();
    void insertNewline();
    void insertClosingBrace();
    void insertIndent();
    void layoutBars();
    void updateStatusLabel();
    QString summary() const; ///< the analysis in a line, errors left out
    QString wherePrefix() const; ///< "On db1: " when checked on targets, else empty
    void showToolTip(const QPoint &viewportPos, const QPoint &globalPos);
    void applyTheme();
    void updateLineNumberAreaWidth();
    void updateLineNumberArea(const QRect &rect, int dy);
    void startFullAnalysis();
    void setAnalysis(const ScriptAnalysis &analysis);
    void updateExtraSelections();

    QWidget *m_lineNumberArea;
    KSyntaxHighlighting::SyntaxHighlighter *m_highlighter;
    QPointer<ScriptAnalyzer> m_analyzer;
    ScriptAnalyzer::TargetAnalyzers m_targetAnalyzers;
    QString m_where; ///< the targets' name for the status line; empty for setAnalyzer()'s
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
    QColor m_bracketColor;
    QColor m_searchColor;
    ScriptCompleter *m_completer;
    FindReplaceBar *m_findBar;
    GoToLineBar *m_goToLineBar;
    QList<QAction *> m_editActions;
    QPointer<QLabel> m_statusLabel;
    QPoint m_toolTipPos; ///< where the shown hover help was asked for (viewport coordinates)
};
