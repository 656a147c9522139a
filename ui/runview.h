// SPDX-License-Identifier: GPL-2.0-or-later
// The selected run: its header, Stop, output, maps, problems and script; export.
#pragma once

#include <QPointer>
#include <QWidget>

class FleetMapsView;
class MapsView;
class OutputView;
class Run;
class RunManager;
class ScriptEditor;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTimer;

class RunView : public QWidget
{
    Q_OBJECT
public:
    explicit RunView(RunManager *runs, QWidget *parent = nullptr);

    void setRun(Run *run);
    Run *run() const { return m_run; }

    OutputView *outputView() const { return m_output; }
    MapsView *mapsView() const { return m_maps; }
    /// A fleet run's maps: merged, by host or one host, and a host-by-host comparison. The Maps
    /// tab shows it instead of mapsView() while a fleet run is shown.
    FleetMapsView *fleetMapsView() const { return m_fleetMaps; }
    bool isShowingFleetMaps() const;
    QTabWidget *tabs() const { return m_tabs; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *openInEditorButton() const { return m_openInEditor; }
    QPushButton *runAgainButton() const { return m_runAgain; }
    QPushButton *deleteButton() const { return m_delete; }
    /// The tab a run opens on: Problems for a failed run, Maps when it has maps, else Output.
    static int tabFor(const Run *run);
    QString headerText() const;
    QListWidget *problems() const { return m_problems; }

    /// Opens a save dialog (window-modal, no nested event loop) and writes the output or maps.
    void exportOutput();
    void exportMaps();

Q_SIGNALS:
    void stopRequested(Run *run);
    void openInEditorRequested(Run *run);
    void runAgainRequested(Run *run);
    void deleteRequested(Run *run);

private:
    void updateHeader();
    void updateProblems();
    void onStateChanged();
    void updateFleetMaps();

protected:
    void resizeEvent(QResizeEvent *event) override;

    QPointer<RunManager> m_runs;
    QPointer<Run> m_run;
    QLabel *m_title;
    QLabel *m_details;
    QPushButton *m_stop;
    QPushButton *m_exportOutput;
    QPushButton *m_exportMaps;
    QPushButton *m_openInEditor;
    QPushButton *m_runAgain;
    QPushButton *m_delete;
    QString m_fullDetails; ///< the details line before eliding
    QTabWidget *m_tabs;
    OutputView *m_output;
    MapsView *m_maps;
    FleetMapsView *m_fleetMaps;
    QStackedWidget *m_mapsStack;
    QTimer *m_fleetRefresh; ///< a fleet's hosts change often: its view follows a few times a second
    QListWidget *m_problems;
    ScriptEditor *m_script;
};
