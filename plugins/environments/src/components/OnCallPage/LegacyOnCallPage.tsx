import { Content, Header, Page } from '@backstage/core-components';
import { OnCallDashboard } from './OnCallPage';

/** The on-call page for the legacy frontend system, which has no app-provided header. */
export const LegacyOnCallPage = () => (
  <Page themeId="tool">
    <Header
      title="On-call"
      subtitle="Every environment and every problem, worst first"
    />
    <Content>
      <OnCallDashboard />
    </Content>
  </Page>
);
