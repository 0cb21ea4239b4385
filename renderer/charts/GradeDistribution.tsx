// How many containers have each grade, A to F; a bar, or the count under it (keyboard, screen reader), opens the table filtered to that grade.
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { ContainerIsolation, Grade } from '../../app/model/schema.js';
import { routeHref } from '../state/route.js';
import { GRADE_COLORS } from './colors.js';

const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'E', 'F'];

export function gradeCounts(containers: readonly ContainerIsolation[]): { grade: Grade; count: number }[] {
  return GRADES.map((grade) => ({ grade, count: containers.filter((c) => c.grade === grade).length }));
}

export function GradeDistribution({ containers, onSelectGrade }: { containers: readonly ContainerIsolation[]; onSelectGrade: (grade: Grade) => void }) {
  const data = gradeCounts(containers);
  return (
    <div data-testid="grade-distribution">
      <div aria-hidden="true" inert>
      <ResponsiveContainer width="100%" height={180}>
        <BarChart data={data} margin={{ top: 18, right: 8, bottom: 0, left: -20 }}>
          <CartesianGrid strokeDasharray="2 4" stroke="#8a94a6" strokeOpacity={0.35} vertical={false} />
          <XAxis dataKey="grade" className="chart-axis" tickLine={false} />
          <YAxis allowDecimals={false} className="chart-axis" fontSize={11} />
          <Bar dataKey="count" isAnimationActive={false} cursor="pointer" onClick={(entry) => onSelectGrade((entry as unknown as { grade: Grade }).grade)}>
            {data.map((d) => (
              <Cell key={d.grade} fill={GRADE_COLORS[d.grade]} />
            ))}
            <LabelList dataKey="count" position="top" className="chart-label" fontSize={12} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      </div>
      <ul className="grade-links" aria-label="Containers by grade">
        {data.map((d) => (
          <li key={d.grade}>
            {d.count > 0 ? (
              <a href={routeHref({ view: 'containers', filter: { grade: d.grade } })} data-testid={`grade-link-${d.grade}`}>
                <span className={`grade grade-${d.grade}`}>{d.grade}</span>
                <span className="sr-only"> graded:</span> {d.count}
              </a>
            ) : (
              <span className="muted">
                <span className={`grade grade-${d.grade} grade-none`}>{d.grade}</span>
                <span className="sr-only"> graded:</span> 0
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
