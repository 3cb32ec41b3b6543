// The `az` CLI equivalent(s) of an action, in monospace with a Copy button, behind a disclosure.
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { AzCommand } from '../../../common/models';
import { CopyButton } from '../../shared/copy-button';

const useStyles = makeStyles({
  block: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
  row: { display: 'flex', alignItems: 'flex-start', gap: tokens.spacingHorizontalS },
  code: {
    flex: '1 1 auto',
    minWidth: 0,
    margin: 0,
    padding: tokens.spacingHorizontalS,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
  },
  summary: { color: tokens.colorNeutralForeground3 },
});

export function AzCommands({ az, open }: { az: AzCommand[]; open?: boolean }) {
  const styles = useStyles();
  if (az.length === 0) return null;
  const all = az.map((c) => c.shell).join('\n');
  return (
    <Accordion collapsible defaultOpenItems={open ? ['az'] : []}>
      <AccordionItem value="az">
        <AccordionHeader size="small">az equivalent</AccordionHeader>
        <AccordionPanel>
          <div className={styles.block}>
            {az.map((c, i) => (
              <div key={i}>
                {c.summary && (
                  <Text size={200} block className={styles.summary}>
                    {c.summary}
                  </Text>
                )}
                <div className={styles.row}>
                  <pre className={styles.code} data-testid="az-command">
                    {c.shell}
                  </pre>
                  <CopyButton text={c.shell} what="the az command" iconOnly />
                </div>
              </div>
            ))}
            {az.length > 1 && <CopyButton text={all} what="every az command" />}
          </div>
        </AccordionPanel>
      </AccordionItem>
    </Accordion>
  );
}
